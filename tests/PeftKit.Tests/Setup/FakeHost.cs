namespace PeftKit.Tests.Setup;

/// <summary>A host whose libstdc++ provides every version except the ones listed as missing.</summary>
internal sealed class FakeHost(bool isLinuxX64, params string[] missing) : IHostLibraries
{
    public bool IsLinuxX64 { get; } = isLinuxX64;

    public bool Provides(string library, string version, string symbol) => !missing.Contains(version);
}
