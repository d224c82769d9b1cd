using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftKit.Setup;

/// <summary>
/// One call that makes TorchSharp usable: loads the native backend (fixing old-libstdc++ hosts on the way),
/// picks the device, sets the thread count, seeds every generator and makes results reproducible
/// (<see cref="Reproducibility"/>: deterministic algorithms, CPU kernels pinned to AVX2). Notebooks call it in their
/// first code cell, before any torch computation; the CLI, the notebook runner and the tests call it for you. Calling
/// it again re-seeds (and applies <c>deterministic</c> again).
/// </summary>
public static class KitTorch
{
    static readonly Lock Gate = new();
    static NativeCompatStatus? _compat;

    /// <summary>The device chosen by the last <see cref="Setup"/> call (CPU until then).</summary>
    public static Device Device { get; private set; } = new(DeviceType.CPU);

    /// <summary>Makes torch ready and returns what was set up.</summary>
    /// <param name="seed">Seed for torch's CPU and CUDA generators.</param>
    /// <param name="device">"auto" (CUDA when available, else CPU), "cpu" or "cuda". $PEFTKIT_DEVICE overrides "auto".</param>
    /// <param name="threads">Intra-op threads; 0 means one per logical core.</param>
    /// <param name="deterministic">Torch's deterministic algorithms (on by default; an op that has none then throws).</param>
    public static TorchInfo Setup(int seed = 42, string device = "auto", int threads = 0, bool deterministic = true)
    {
        lock (Gate)
        {
            if (_compat is null)
            {
                Reproducibility.PinCpuKernels(); // read by libtorch when it first computes, so before it loads
                _compat = LoadNativeBackend(new NativeCompat(new HostLibraries(), new ShimCompiler(), NativeCompat.DefaultCacheRoot()));
            }
            Reproducibility.UseDeterministicAlgorithms(deterministic);
            Device = PickDevice(device);
            set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
            manual_seed(seed);
            if (Device.type == DeviceType.CUDA) cuda.manual_seed_all(seed);
            return new TorchInfo(TorchNatives.TorchSharpVersion, __version__, cuda.is_available() ? "cuda" : "cpu",
                Device.ToString(), get_num_threads(), seed, Reproducibility.Deterministic, Reproducibility.CpuKernels, _compat);
        }
    }

    /// <summary>Loads TorchSharp's native library, applying the libstdc++ fix when this host needs it.</summary>
    internal static NativeCompatStatus LoadNativeBackend(NativeCompat compat)
    {
        var status = new NativeCompatStatus(false, false, null, "not needed (not Linux x64)");
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            status = compat.Prepare(TorchNatives.FindLibTorchSharp(), TorchNatives.TorchSharpVersion);
            if (status.Needed) LoadPatched(status.CacheDirectory!);
        }
        try
        {
            // First touch of the torch class: its static constructor loads the backend.
            if (!TryInitializeDeviceType(DeviceType.CPU))
                throw new TorchSetupException("TorchSharp loaded but its CPU backend did not initialise.");
        }
        catch (TypeInitializationException e)
        {
            throw new TorchSetupException(
                $"TorchSharp's native backend did not load (libstdc++ fix: {status}). Run `kit doctor` for details.\n" +
                e.InnerException?.Message, e);
        }
        return status;
    }

    /// <summary>
    /// Loads the shim (global, so its symbol is visible), then libtorch from where TorchSharp resolves it, then the
    /// patched libLibTorchSharp.so, and points TorchSharp's DllImports at that copy. Because the copy's SONAME is
    /// libLibTorchSharp.so, any later load by bare name also resolves to it.
    /// </summary>
    static void LoadPatched(string cacheDirectory)
    {
        var assembly = TorchNatives.TorchSharpAssembly;
        Dl.OpenOrThrow(Path.Combine(cacheDirectory, NativeCompat.ShimFile), Dl.Now | Dl.Global);
        // libtorch by full path, from TorchSharp's own folders or the NuGet cache — never by bare name: where TorchSharp.dll
        // has no libtorch beside it (a notebook kernel loads it from the NuGet cache), a bare-name load searches the system
        // paths and finds any system libtorch first (Debian's python3-torch installs libtorch 1.13 and libc10.so in
        // /usr/lib), whose libc10 then lacks the symbols libLibTorchSharp needs.
        var dir = TorchNatives.FindLibTorchDirectory() ?? throw new TorchSetupException(
            "libtorch.so was not found next to TorchSharp or in the NuGet cache. Reference TorchSharp-cpu (or TorchSharp-cuda-linux).");
        Dl.OpenOrThrow(Path.Combine(dir, "libtorch.so"), Dl.Lazy | Dl.Global);
        var handle = Dl.OpenOrThrow(Path.Combine(cacheDirectory, TorchNatives.LibTorchSharp), Dl.Lazy | Dl.Global);
        // Bound through the scalar quarantine when it was built: its THSTorch_dispose_scalar, TorchSharp's everything else.
        var quarantine = ScalarQuarantine.TryOpen(cacheDirectory);
        try
        {
            var bound = quarantine ?? handle;
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name == "LibTorchSharp" ? bound : IntPtr.Zero);
            if (quarantine is not null)
                ScalarQuarantine.MarkActive();
        }
        catch (InvalidOperationException)
        {
            // A host (e.g. a notebook kernel) already set a resolver; the SONAME match above still applies.
        }
    }

    static Device PickDevice(string requested)
    {
        if (requested == "auto" && Environment.GetEnvironmentVariable("PEFTKIT_DEVICE") is { Length: > 0 } env)
            requested = env;
        return requested switch
        {
            "auto" => cuda.is_available() ? CUDA : CPU,
            "cpu" => CPU,
            "cuda" when cuda.is_available() => CUDA,
            "cuda" => throw new TorchSetupException(
                "CUDA was requested but is not available. Build with -p:TorchBackend=cuda (TorchSharp-cuda-linux) on a " +
                "machine with an NVIDIA GPU and driver, or use device \"cpu\"."),
            _ => throw new ArgumentException($"Unknown device '{requested}'. Use \"auto\", \"cpu\" or \"cuda\".", nameof(requested)),
        };
    }
}
