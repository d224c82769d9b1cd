using System.Runtime.InteropServices;

namespace PeftKit.Setup;

/// <summary>Asks the real dynamic loader (dlvsym) which symbol versions the host provides.</summary>
internal sealed class HostLibraries : IHostLibraries
{
    public bool IsLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    public bool Provides(string library, string version, string symbol)
    {
        var handle = Dl.Open(library, Dl.Lazy);
        return handle != IntPtr.Zero && Dl.VersionedSymbol(handle, symbol, version) != IntPtr.Zero;
    }
}
