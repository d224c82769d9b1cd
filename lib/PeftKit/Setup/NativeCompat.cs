using System.Security.Cryptography;

namespace PeftKit.Setup;

/// <summary>
/// Makes TorchSharp's libLibTorchSharp.so load on hosts whose libstdc++ predates GCC 13 (../shared/FACTS.md):
/// the only symbol it needs at GLIBCXX_3.4.32 is std::ios_base_library_init(). In a cached copy of the library
/// that version requirement is marked weak (VER_FLG_WEAK), and a shim built from Native/ios_base_library_init.cpp
/// provides the symbol. The NuGet cache is never written to.
/// </summary>
internal sealed class NativeCompat
{
    internal const string FixableVersion = "GLIBCXX_3.4.32";
    internal const string ShimFile = "libpeftkit_ios_base_library_init.so";
    const string StdCxx = "libstdc++.so.6";

    readonly IHostLibraries _host;
    readonly ShimCompiler _compiler;
    readonly string _cacheRoot;

    internal NativeCompat(IHostLibraries host, ShimCompiler compiler, string cacheRoot) =>
        (_host, _compiler, _cacheRoot) = (host, compiler, cacheRoot);

    /// <summary>The cache root: $PEFTKIT_CACHE, else $XDG_CACHE_HOME/peftkit, else ~/.cache/peftkit.</summary>
    internal static string DefaultCacheRoot() =>
        Environment.GetEnvironmentVariable("PEFTKIT_CACHE") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "peftkit");

    /// <summary>Versions of libstdc++ that <paramref name="library"/> needs and the host does not provide.</summary>
    internal IReadOnlyList<ElfImage.VersionNeed> MissingVersions(string library) =>
        ElfImage.Read(library).Needs
            .Where(n => n.File == StdCxx && n.SampleSymbol is not null && !_host.Provides(StdCxx, n.Version, n.SampleSymbol))
            .ToList();

    /// <summary>
    /// Decides whether the fix is needed for <paramref name="library"/> and, if so, returns the cache directory that
    /// holds the patched copy and the shim (building them once per TorchSharp version and file hash).
    /// </summary>
    internal NativeCompatStatus Prepare(string library, string torchSharpVersion)
    {
        if (!_host.IsLinuxX64)
            return new(false, false, null, "not needed (not Linux x64)");
        var missing = MissingVersions(library);
        if (missing.Count == 0)
            return new(false, false, null, $"not needed (host {StdCxx} has every version {Path.GetFileName(library)} needs)");
        var unfixable = missing.Where(m => m.Version != FixableVersion).Select(m => m.Version).ToList();
        if (unfixable.Count > 0)
            throw new TorchSetupException(
                $"{library} needs {string.Join(", ", unfixable)} from {StdCxx}, which this host lacks and PeftKit cannot " +
                "shim. Use a host with a newer libstdc++ (GCC 13 or later), e.g. Debian 13 or Ubuntu 24.04.");

        var dir = Path.Combine(_cacheRoot, "native", $"torchsharp-{torchSharpVersion}-{ShortHash(library)}");
        if (File.Exists(Path.Combine(dir, TorchNatives.LibTorchSharp)) && File.Exists(Path.Combine(dir, ShimFile)))
        {
            EnsureScalarQuarantine(dir); // cache entries made before the quarantine existed get it added
            return new(true, true, dir, $"applied ({FixableVersion} shimmed; cached in {dir})");
        }

        // Build in a private folder, then move it into place: concurrent processes never see half a cache entry.
        var temp = dir + ".tmp-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(temp);
        try
        {
            _compiler.Build(Path.Combine(temp, ShimFile));
            ElfImage.Read(library).WriteWithWeakVersion(FixableVersion, Path.Combine(temp, TorchNatives.LibTorchSharp));
            EnsureScalarQuarantine(temp);
            try { Directory.Move(temp, dir); }
            catch (IOException) when (Directory.Exists(dir)) { /* another process won the race; use its copy */ }
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return new(true, false, dir, $"applied ({FixableVersion} shimmed; built now in {dir})");
    }

    /// <summary>
    /// Builds the scalar quarantine (<see cref="ScalarQuarantine"/>) beside the patched library when it is missing. It
    /// is a safety net, not a requirement: if it cannot be built, torch still loads, without it (`kit doctor` says so).
    /// </summary>
    void EnsureScalarQuarantine(string dir)
    {
        var target = Path.Combine(dir, ScalarQuarantine.FileName);
        if (File.Exists(target))
            return;
        var temp = Path.Combine(dir, $".{ScalarQuarantine.FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            _compiler.BuildScalarQuarantine(temp);
            File.Move(temp, target, overwrite: true); // another process may have just built the same file
        }
        catch (Exception e) when (e is TorchSetupException or IOException)
        {
            // Left inactive; ScalarQuarantine.Describe() reports it.
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
            var source = Path.Combine(dir, ScalarQuarantine.SourceName);
            if (File.Exists(source)) File.Delete(source);
        }
    }

    static string ShortHash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    }
}
