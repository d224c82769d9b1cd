using System.Runtime.InteropServices;

namespace PeftKit.Setup;

/// <summary>glibc's dynamic loader API (dlopen, dlvsym, dlerror). libdl.so.2 exists on every glibc, old and new.</summary>
internal static partial class Dl
{
    internal const int Lazy = 0x1, Now = 0x2, Global = 0x100;
    const string LibDl = "libdl.so.2";

    [LibraryImport(LibDl, EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Open(string? file, int mode);

    [LibraryImport(LibDl, EntryPoint = "dlvsym", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr VersionedSymbol(IntPtr handle, string symbol, string version);

    [LibraryImport(LibDl, EntryPoint = "dlerror")]
    private static partial IntPtr ErrorPtr();

    /// <summary>The loader's last error message, or an empty string.</summary>
    internal static string Error() => Marshal.PtrToStringUTF8(ErrorPtr()) ?? "";

    /// <summary>dlopen that throws with the loader's own message.</summary>
    internal static IntPtr OpenOrThrow(string file, int mode)
    {
        var handle = Open(file, mode);
        if (handle == IntPtr.Zero)
            throw new TorchSetupException($"Could not load {file}: {Error()}");
        return handle;
    }
}
