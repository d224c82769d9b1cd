using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Directives;

namespace PeftKit.Notebooks.Packages;

/// <summary>
/// Restores <c>#r "nuget: …"</c> packages the way .NET Interactive did: a generated project with the requested
/// PackageReferences, <c>dotnet restore</c>, then the runtime and native assets read from project.assets.json.
/// Results are cached per package set (and sources) under the cache directory, across cells and runs.
/// </summary>
public sealed class PackageRestorer
{
    readonly string cacheRoot;

    /// <summary>Creates a restorer caching under <paramref name="cacheRoot"/> (default: <see cref="DefaultCacheDirectory"/>).</summary>
    public PackageRestorer(string? cacheRoot = null) => this.cacheRoot = Path.GetFullPath(cacheRoot ?? DefaultCacheDirectory);

    /// <summary><c>$PEFTKIT_NOTEBOOK_CACHE</c>, else <c>$XDG_CACHE_HOME/peftkit/notebook-packages</c>, else <c>~/.cache/…</c>.</summary>
    public static string DefaultCacheDirectory =>
        Environment.GetEnvironmentVariable("PEFTKIT_NOTEBOOK_CACHE") is { Length: > 0 } env ? env
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "peftkit", "notebook-packages");

    /// <summary>Restores the packages (all of them together, so versions are consistent).</summary>
    /// <exception cref="NotebookPackageException">The restore failed; the message holds NuGet's errors.</exception>
    public async Task<RestoreResult> RestoreAsync(IReadOnlyList<PackageReference> packages, IReadOnlyList<string> sources, CancellationToken cancel = default)
    {
        var tfm = $"net{Environment.Version.Major}.0";
        var key = string.Join("\n", packages.Select(p => $"{p.Id.ToLowerInvariant()}|{p.Version ?? "*"}").Order(StringComparer.Ordinal))
                  + "\n--\n" + string.Join("\n", sources) + "\n--\n" + tfm;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        var dir = Path.Combine(cacheRoot, hash);
        var cached = Path.Combine(dir, "resolved.json");
        if (File.Exists(cached) && TryReadCached(cached) is { } hit)
            return hit;

        Directory.CreateDirectory(dir);
        // Empty Directory.Build.* / Directory.Packages.props stop MSBuild from importing those of folders above the cache.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(dir, name), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "packages.csproj"), Project(packages, sources, tfm));
        var (exit, output) = await RunDotnetAsync(dir, ["restore", "packages.csproj", "--nologo", "-v", "q"], cancel);
        var assetsPath = Path.Combine(dir, "obj", "project.assets.json");
        if (exit != 0 || !File.Exists(assetsPath))
        {
            var errors = output.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()).Distinct().Take(10);
            throw new NotebookPackageException(
                $"NuGet restore of {string.Join("; ", packages)} failed (dotnet restore exit code {exit}):\n{string.Join("\n", errors)}");
        }
        var result = ReadAssets(await File.ReadAllTextAsync(assetsPath, cancel), tfm);
        Format.AtomicFile.WriteAllText(cached, JsonSerializer.Serialize(new CachedResult(result.Assemblies.ToList(), result.NativeLibraries.ToList(), result.Versions.ToDictionary())));
        return result;
    }

    sealed record CachedResult(List<string> Assemblies, List<string> NativeLibraries, Dictionary<string, string> Versions);

    static RestoreResult? TryReadCached(string path)
    {
        try
        {
            var c = JsonSerializer.Deserialize<CachedResult>(File.ReadAllText(path));
            if (c is null || !c.Assemblies.Concat(c.NativeLibraries).All(File.Exists))
                return null;
            return new RestoreResult(c.Assemblies, c.NativeLibraries, c.Versions);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null; // a broken cache entry is restored again
        }
    }

    static string Project(IReadOnlyList<PackageReference> packages, IReadOnlyList<string> sources, string tfm)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<Project Sdk=\"Microsoft.NET.Sdk\">");
        sb.AppendLine("  <PropertyGroup>");
        sb.AppendLine($"    <TargetFramework>{tfm}</TargetFramework>");
        sb.AppendLine("    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>");
        sb.AppendLine("    <NoWarn>$(NoWarn);NU1603;NU1701;NU1608</NoWarn>");
        if (sources.Count > 0)
            sb.AppendLine($"    <RestoreAdditionalProjectSources>{System.Security.SecurityElement.Escape(string.Join(";", sources))}</RestoreAdditionalProjectSources>");
        sb.AppendLine("  </PropertyGroup>");
        sb.AppendLine("  <ItemGroup>");
        foreach (var p in packages)
            sb.AppendLine($"    <PackageReference Include=\"{System.Security.SecurityElement.Escape(p.Id)}\" Version=\"{System.Security.SecurityElement.Escape(p.Version ?? "*")}\" />");
        sb.AppendLine("  </ItemGroup>");
        sb.AppendLine("</Project>");
        return sb.ToString();
    }

    static async Task<(int Exit, string Output)> RunDotnetAsync(string dir, string[] args, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(DotnetPath()) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start) ?? throw new NotebookPackageException("Could not start `dotnet` to restore NuGet packages.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        return (process.ExitCode, await stdout + await stderr);
    }

    static string DotnetPath() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";

    /// <summary>Runtime identifiers whose assets this process can use, most specific first.</summary>
    /// <remarks>Hand-written stand-in for NuGet's RID graph (not available as a package here): os-arch, os, unix, any.</remarks>
    internal static string[] CompatibleRids()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return os == "win" ? [$"{os}-{arch}", os, "any"] : [$"{os}-{arch}", os, "unix", "any"];
    }

    internal static RestoreResult ReadAssets(string json, string tfm)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var folder = root["packageFolders"]!.AsObject().First().Key;
        var target = root["targets"]![tfm]!.AsObject();
        var libraries = root["libraries"]!.AsObject();
        var rids = CompatibleRids();
        var assemblies = new List<string>();
        var natives = new List<string>();
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, entry) in target)
        {
            if (entry?["type"]?.GetValue<string>() != "package")
                continue;
            var slash = name.IndexOf('/');
            versions[name[..slash]] = name[(slash + 1)..];
            var packageDir = Path.Combine(folder, libraries[name]!["path"]!.GetValue<string>());
            string Full(string relative) => Path.GetFullPath(Path.Combine(packageDir, relative));

            // RID-specific runtime assets replace the portable ones; natives come only from runtimeTargets / native.
            var ridAssets = (entry["runtimeTargets"] as JsonObject ?? [])
                .Select(kv => (Path: kv.Key, Type: kv.Value?["assetType"]?.GetValue<string>(), Rid: kv.Value?["rid"]?.GetValue<string>()))
                .Where(a => a.Rid is not null && rids.Contains(a.Rid))
                .ToList();
            string? BestRid(string type) => rids.FirstOrDefault(r => ridAssets.Any(a => a.Type == type && a.Rid == r));
            var runtimeRid = BestRid("runtime");
            if (runtimeRid is not null)
                assemblies.AddRange(ridAssets.Where(a => a.Type == "runtime" && a.Rid == runtimeRid).Select(a => Full(a.Path)));
            else
                assemblies.AddRange(Keys(entry["runtime"]).Select(Full));
            natives.AddRange(Keys(entry["native"]).Select(Full));
            var nativeRid = BestRid("native");
            if (nativeRid is not null)
                natives.AddRange(ridAssets.Where(a => a.Type == "native" && a.Rid == nativeRid).Select(a => Full(a.Path)));
        }
        return new RestoreResult(assemblies.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Distinct().ToList(), natives.Distinct().ToList(), versions);
    }

    static IEnumerable<string> Keys(JsonNode? node) =>
        (node as JsonObject ?? []).Select(kv => kv.Key).Where(k => !k.EndsWith("/_._", StringComparison.Ordinal) && k != "_._");
}
