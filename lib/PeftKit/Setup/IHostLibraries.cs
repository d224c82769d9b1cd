namespace PeftKit.Setup;

/// <summary>What the host's shared libraries provide. Faked in tests to simulate other hosts.</summary>
internal interface IHostLibraries
{
    /// <summary>True on Linux x64, the only platform whose TorchSharp build has the libstdc++ problem.</summary>
    bool IsLinuxX64 { get; }

    /// <summary>Whether <paramref name="library"/> on this host defines <paramref name="symbol"/> at <paramref name="version"/>.</summary>
    bool Provides(string library, string version, string symbol);
}
