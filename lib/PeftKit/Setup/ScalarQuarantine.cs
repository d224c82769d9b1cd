using System.Runtime.InteropServices;

namespace PeftKit.Setup;

/// <summary>
/// Keeps TorchSharp's native scalars alive until no native call can still be reading them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns numbers into <see cref="TorchSharp.Scalar"/> objects on the fly (<c>x * 0.5</c>,
/// <c>ids.eq(59)</c>, and the alpha = 1 inside every <c>a + b</c>), hands their native handles to P/Invoke calls and
/// never touches them again. The JIT may treat such a temporary as dead once its handle is read; a garbage collection
/// during the call then lets the finalizer thread free the native scalar while libtorch reads it: "Expected false to
/// be true … toFloat/toLong at c10/core/Scalar.h:140", or silently wrong numbers. Upstream fixes are open, not
/// released (dotnet/TorchSharp#1434, #1496). The kit cannot add GC.KeepAlive inside TorchSharp, so it fixes the one
/// place every such scalar goes through: <c>THSTorch_dispose_scalar</c>. A 30-line library built with the shim
/// (Native/scalar_quarantine.cpp) defines it and parks each disposed scalar in a ring of 65,536 slots, freeing it only
/// when that many later disposals have pushed it out. TorchSharp's P/Invokes are bound through that library, which
/// lists libLibTorchSharp.so as its dependency, so every other function is TorchSharp's own.
/// It is active where the kit loads TorchSharp's native library itself (hosts that need the libstdc++ fix, such as
/// Debian 12 and this project's CI); set PEFTKIT_SCALAR_QUARANTINE=0 to turn it off (to reproduce the race).
/// </remarks>
public static class ScalarQuarantine
{
    internal const string SourceName = "scalar_quarantine.cpp";
    internal const string FileName = "libpeftkit_scalar_quarantine.so";
    internal const string DisableVariable = "PEFTKIT_SCALAR_QUARANTINE";

    static IntPtr _handle;

    /// <summary>True when TorchSharp's native calls are bound through the quarantine in this process.</summary>
    public static bool IsActive { get; private set; }

    /// <summary>Scalars disposed but not yet freed (at most 65,536); 0 when inactive.</summary>
    public static unsafe long ParkedScalars() =>
        IsActive && NativeLibrary.TryGetExport(_handle, "peftkit_parked_scalars", out var f)
            ? (long)((delegate* unmanaged<nuint>)f)()
            : 0;

    /// <summary>One line for `kit doctor`.</summary>
    public static string Describe() => IsActive
        ? $"active (native scalars freed after 65,536 later disposals; {ParkedScalars():N0} parked)"
        : Environment.GetEnvironmentVariable(DisableVariable) == "0"
            ? $"off ({DisableVariable}=0)"
            : "not active here (TorchSharp's native library was loaded without the kit's fix; see ScalarQuarantine)";

    /// <summary>The handle to bind TorchSharp's P/Invokes to: the quarantine's when built in <paramref name="cacheDirectory"/>.</summary>
    internal static IntPtr? TryOpen(string cacheDirectory)
    {
        var file = Path.Combine(cacheDirectory, FileName);
        if (Environment.GetEnvironmentVariable(DisableVariable) == "0" || !File.Exists(file))
            return null;
        _handle = Dl.OpenOrThrow(file, Dl.Lazy); // local: its THSTorch_dispose_scalar must not interpose for anything else
        return _handle;
    }

    /// <summary>Called once TorchSharp's resolver returns the quarantine's handle.</summary>
    internal static void MarkActive() => IsActive = true;
}
