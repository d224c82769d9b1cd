using System.Reflection;

namespace PeftKit.Setup;

/// <summary>
/// Finds the native files TorchSharp will load: libLibTorchSharp.so (from the TorchSharp package) and the
/// libtorch directory (from libtorch-cpu-* or libtorch-cuda-*), in an app's output, its deps.json native
/// search directories, or the NuGet cache (notebooks reference packages straight from there).
/// </summary>
internal static class TorchNatives
{
    internal const string LibTorchSharp = "libLibTorchSharp.so";
    const string Rid = "linux-x64";

    /// <summary>The TorchSharp managed assembly, found without touching the <c>torch</c> class (its static constructor loads natives).</summary>
    internal static Assembly TorchSharpAssembly => typeof(TorchSharp.DeviceType).Assembly;

    /// <summary>TorchSharp's package version, e.g. 0.107.0.</summary>
    internal static string TorchSharpVersion =>
        TorchSharpAssembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? TorchSharpAssembly.GetName().Version!.ToString(3);

    /// <summary>Full path of the libLibTorchSharp.so that goes with the loaded TorchSharp.dll.</summary>
    internal static string FindLibTorchSharp()
    {
        foreach (var dir in CandidateDirectories())
        {
            var path = Path.Combine(dir, LibTorchSharp);
            if (File.Exists(path)) return path;
        }
        throw new TorchSetupException(
            $"Could not find {LibTorchSharp} for TorchSharp {TorchSharpVersion} (looked in: {string.Join(", ", CandidateDirectories())}). " +
            "Reference the TorchSharp-cpu package (or TorchSharp-cuda-linux) in the project or notebook.");
    }

    /// <summary>A directory holding libtorch.so when it is not resolvable the way TorchSharp resolves it; null if none.</summary>
    internal static string? FindLibTorchDirectory()
    {
        var local = CandidateDirectories().FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch.so")));
        if (local is not null) return local;
        var packages = NuGetPackagesRoot();
        return Directory.Exists(packages)
            ? Directory.GetDirectories(packages, "libtorch-c*-" + Rid)
                .SelectMany(Directory.GetDirectories)
                .Select(v => Path.Combine(v, "runtimes", Rid, "native"))
                .Where(d => File.Exists(Path.Combine(d, "libtorch.so")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
    }

    internal static string NuGetPackagesRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    static IEnumerable<string> CandidateDirectories()
    {
        var fromDeps = (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var asmDir = Path.GetDirectoryName(TorchSharpAssembly.Location) ?? AppContext.BaseDirectory;
        var local = new[]
        {
            asmDir,
            Path.Combine(asmDir, "runtimes", Rid, "native"),
            // NuGet cache layout: torchsharp/<version>/lib/<tfm>/TorchSharp.dll → torchsharp/<version>/runtimes/<rid>/native
            Path.GetFullPath(Path.Combine(asmDir, "..", "..", "runtimes", Rid, "native")),
        };
        return fromDeps.Concat(local).Where(Directory.Exists).Distinct();
    }
}
