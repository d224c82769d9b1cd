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

    /// <summary>
    /// dlopen that throws with the loader's own message (dlerror), the file, and what to do. dlerror is bound before
    /// dlopen runs: binding a P/Invoke calls dlsym, which clears the pending error, so a first-time dlerror call made
    /// after a failed dlopen returned nothing (the empty reason once seen in the .NET Interactive kernel).
    /// </summary>
    internal static IntPtr OpenOrThrow(string file, int mode)
    {
        Error();
        var handle = Open(file, mode);
        if (handle != IntPtr.Zero)
            return handle;
        var reason = Error();
        throw new TorchSetupException(
            $"Could not load {file}: {(reason.Length > 0 ? reason : "the loader gave no reason")}. " +
            (File.Exists(file)
                ? "The file exists, so a library it needs is missing or too old (`ldd` on it lists them); check that TorchSharp-cpu " +
                  "(or TorchSharp-cuda-linux) has the same version as TorchSharp, and run `dotnet run --project lib/PeftKit.Cli -- doctor`."
                : "The file does not exist; reference TorchSharp-cpu (or TorchSharp-cuda-linux) in the project or notebook, then retry."));
    }
}
