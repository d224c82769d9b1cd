using System.Security.Cryptography;

namespace PeftKit.Tests.Setup;

public sealed class NativeCompatTests : IDisposable
{
    readonly string _cache = Directory.CreateTempSubdirectory("peftkit-compat-").FullName;
    static readonly string Library = TorchNatives.FindLibTorchSharp();

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    NativeCompat Compat(IHostLibraries host, string? compiler = null) => new(host, new ShimCompiler(compiler), _cache);

    [Fact]
    public void ElfReaderFindsTheOneSymbolThatNeedsGlibcxx_3_4_32()
    {
        // readelf -V on TorchSharp 0.107's libLibTorchSharp.so shows exactly this requirement (FACTS.md).
        var need = Assert.Single(ElfImage.Read(Library).Needs, n => n.Version == NativeCompat.FixableVersion);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal("_ZSt21ios_base_library_initv", need.SampleSymbol);
        Assert.Equal(0, need.Flags & ElfImage.VerFlagWeak);
    }

    [Fact]
    public void RealHostAnswerAgreesWithTheLibstdcxxFile()
    {
        // dlvsym's answer must match whether the host's libstdc++ even names the version.
        var path = File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last())
            .FirstOrDefault(p => p.Contains("libstdc++.so.6")) ?? FindLibStdCxx();
        var named = File.ReadAllText(path, System.Text.Encoding.Latin1).Contains(NativeCompat.FixableVersion);
        var provided = new HostLibraries().Provides("libstdc++.so.6", NativeCompat.FixableVersion, "_ZSt21ios_base_library_initv");
        Assert.Equal(named, provided);
    }

    static string FindLibStdCxx() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .First(File.Exists);

    [Fact]
    public void NothingIsDoneWhereTheHostHasTheVersion()
    {
        var status = Compat(new FakeHost(isLinuxX64: true)).Prepare(Library, "0.107.0");
        Assert.False(status.Needed);
        Assert.Null(status.CacheDirectory);
        Assert.Empty(Directory.GetFileSystemEntries(_cache));
    }

    [Fact]
    public void NothingIsDoneOffLinuxX64()
    {
        var status = Compat(new FakeHost(isLinuxX64: false, NativeCompat.FixableVersion)).Prepare(Library, "0.107.0");
        Assert.False(status.Needed);
        Assert.Empty(Directory.GetFileSystemEntries(_cache));
    }

    [Fact]
    public void OldHostGetsAWeakPatchedCopyAndTheShimWithoutTouchingTheOriginal()
    {
        var before = Hash(Library);
        var status = Compat(new FakeHost(true, NativeCompat.FixableVersion)).Prepare(Library, "0.107.0");

        Assert.True(status.Needed);
        Assert.False(status.FromCache);
        Assert.StartsWith(_cache, status.CacheDirectory);
        Assert.Equal(before, Hash(Library)); // the NuGet cache copy is never written
        var patched = Path.Combine(status.CacheDirectory!, TorchNatives.LibTorchSharp);
        var need = Assert.Single(ElfImage.Read(patched).Needs, n => n.Version == NativeCompat.FixableVersion);
        Assert.Equal(ElfImage.VerFlagWeak, need.Flags & ElfImage.VerFlagWeak);
        // Exactly one byte differs: the flags of that one requirement.
        var (a, b) = (File.ReadAllBytes(Library), File.ReadAllBytes(patched));
        Assert.Equal(a.Length, b.Length);
        Assert.Equal(1, a.Zip(b).Count(p => p.First != p.Second));
        Assert.True(new FileInfo(Path.Combine(status.CacheDirectory!, NativeCompat.ShimFile)).Length > 0);
    }

    [Fact]
    public void SecondPrepareComesFromTheCacheAndRunsNoCompiler()
    {
        var host = new FakeHost(true, NativeCompat.FixableVersion);
        var first = Compat(host).Prepare(Library, "0.107.0");
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(first.CacheDirectory!, NativeCompat.ShimFile));

        // A compiler that cannot exist: the second call must not need it.
        var second = Compat(host, compiler: "/nonexistent/g++").Prepare(Library, "0.107.0");

        Assert.True(second.FromCache);
        Assert.Equal(first.CacheDirectory, second.CacheDirectory);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(second.CacheDirectory!, NativeCompat.ShimFile)));
    }

    [Fact]
    public void MissingCompilerSaysWhatIsMissingAndHowToInstallIt()
    {
        var e = Assert.Throws<TorchSetupException>(() =>
            Compat(new FakeHost(true, NativeCompat.FixableVersion), compiler: "/nonexistent/g++").Prepare(Library, "0.107.0"));
        Assert.Contains("GLIBCXX_3.4.32", e.Message);
        Assert.Contains("'/nonexistent/g++' was not found", e.Message);
        Assert.Contains("sudo apt-get install -y g++", e.Message);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_cache, "native"))); // no half-built cache entry left
    }

    [Fact]
    public void VersionsTheShimCannotProvideAreRefusedByName()
    {
        var e = Assert.Throws<TorchSetupException>(() =>
            Compat(new FakeHost(true, NativeCompat.FixableVersion, "GLIBCXX_3.4.26")).Prepare(Library, "0.107.0"));
        Assert.Contains("GLIBCXX_3.4.26", e.Message);
        Assert.Contains("GCC 13 or later", e.Message);
    }

    static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
