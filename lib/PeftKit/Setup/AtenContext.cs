using System.Runtime.InteropServices;

namespace PeftKit.Setup;

/// <summary>
/// libtorch's global deterministic-algorithms switch, called in libtorch_cpu itself: TorchSharp 0.107 declares
/// <c>torch.use_deterministic_algorithms</c> but marks it "not implemented", so the kit binds the two C++ members by
/// their (Itanium ABI) symbol names: <c>at::globalContext()</c> and <c>at::Context::setDeterministicAlgorithms(bool, bool)</c>.
/// Hand-written for that reason only; Linux (the libtorch the kit loads itself) only.
/// </summary>
internal static unsafe class AtenContext
{
    const int NoLoad = 0x4; // RTLD_NOLOAD: the handle of the copy TorchSharp already loaded, never a second copy

    /// <summary>
    /// Turns deterministic algorithms on or off; with <paramref name="warnOnly"/> an op that has none warns, else it throws.
    /// False where unavailable.
    /// </summary>
    internal static bool TrySetDeterministicAlgorithms(bool on, bool warnOnly)
    {
        if (!TryContext(out var lib, out var context)
            || !NativeLibrary.TryGetExport(lib, "_ZN2at7Context26setDeterministicAlgorithmsEbb", out var set))
            return false;
        // void at::Context::setDeterministicAlgorithms(bool, bool): `this` first; a bool travels in an int register.
        ((delegate* unmanaged<IntPtr, int, int, void>)set)(context, on ? 1 : 0, warnOnly ? 1 : 0);
        return true;
    }

    /// <summary>libtorch's own reading of the switch; null where unavailable.</summary>
    internal static bool? DeterministicAlgorithms() =>
        TryContext(out var lib, out var context) && NativeLibrary.TryGetExport(lib, "_ZNK2at7Context23deterministicAlgorithmsEv", out var get)
            ? ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0
            : null;

    static bool TryContext(out IntPtr lib, out IntPtr context)
    {
        context = IntPtr.Zero;
        lib = OperatingSystem.IsLinux() ? Dl.Open("libtorch_cpu.so", Dl.Lazy | NoLoad) : IntPtr.Zero;
        if (lib == IntPtr.Zero || !NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var global))
            return false;
        context = ((delegate* unmanaged<IntPtr>)global)();
        return context != IntPtr.Zero;
    }
}
