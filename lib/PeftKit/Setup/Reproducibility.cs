using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace PeftKit.Setup;

/// <summary>
/// What <see cref="KitTorch.Setup"/> does so that a run gives the same numbers every time, and on every machine of the
/// same kind (same thread count): torch's deterministic algorithms, and on x64 Linux the CPU code paths pinned to AVX2.
/// </summary>
/// <remarks>
/// Floating-point sums depend on their order. libtorch picks its code paths from the CPU, in three libraries: its own
/// vectorised kernels (ATen: softmax, sums, …), oneDNN (GELU, LSTM, …) and oneMKL (matrix products). On an AVX-512
/// machine a dot product is summed 16 lanes at a time instead of 8, so the same training drifts apart in the last bits
/// and, after a few hundred steps, in the printed losses and accuracies. Pinning all three to AVX2
/// (ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2, MKL_CBWR=AVX2: each library's own switch) makes every
/// AVX2-or-better x64 CPU take the same paths. Measured on an AVX-512 AMD EPYC (a probe of matrix products, layer norm,
/// softmax, GELU, sums, a bidirectional LSTM and a linear layer's gradient): the ATen pin changes softmax's bits, the
/// oneDNN pin GELU's and the LSTM's, oneMKL's settings nothing there; and notebook 02 at the full profile prints losses
/// that differ in the fourth decimal with the ATen pin and without it, while an 8-step quick run does not move. The
/// committed notebook outputs are made with all three pins. The variables are read once, when each library first
/// computes, so they are set in the process environment before the native library loads, and only where the user has
/// set none of them. Set PEFTKIT_CPU_KERNELS=native to let libtorch choose. Thread count can matter too (torch splits
/// large sums across threads), but 1, 2 and 4 threads gave the same bits here, and a machine's thread count is not the
/// kit's to pin, so it is reported, not fixed.
/// <see cref="CpuKernels"/> and <see cref="Deterministic"/> are part of <see cref="TorchInfo"/>, so every notebook
/// shows them in its setup cell and the notebooks' fingerprints record them: a change of either default fails the
/// stale-output check even where a quick run's numbers do not move.
/// </remarks>
public static class Reproducibility
{
    internal const string KernelsVariable = "PEFTKIT_CPU_KERNELS";
    const string AtenVariable = "ATEN_CPU_CAPABILITY", OneDnnVariable = "ONEDNN_MAX_CPU_ISA", MklVariable = "MKL_CBWR";

    /// <summary>
    /// How the CPU kernels were chosen, in words that do not depend on the CPU (a notebook records them):
    /// <see cref="PinnedToAvx2"/>, or why libtorch chose ("native (…)"), or the user's own setting.
    /// <see cref="CpuFeatures"/> says what this CPU could do.
    /// </summary>
    public static string CpuKernels { get; private set; } = "not set up (call KitTorch.Setup first)";

    /// <summary>This CPU's widest vector extension that ATen uses: "AVX-512", "AVX2" or "neither".</summary>
    public static string CpuFeatures => Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : "neither";

    /// <summary>Whether libtorch's deterministic algorithms are on (KitTorch.Setup turns them on); false where the kit cannot reach the switch.</summary>
    public static bool Deterministic => AtenContext.DeterministicAlgorithms() == true;

    /// <summary>Sets ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA and MKL_CBWR to AVX2 in the native environment; call before libtorch computes.</summary>
    internal static void PinCpuKernels()
    {
        var user = (Aten: Environment.GetEnvironmentVariable(AtenVariable), OneDnn: Environment.GetEnvironmentVariable(OneDnnVariable),
            Mkl: Environment.GetEnvironmentVariable(MklVariable));
        if (Environment.GetEnvironmentVariable(KernelsVariable) == "native")
            CpuKernels = $"native ({KernelsVariable}=native)";
        else if (IsPin(user.Aten, "avx2") && IsPin(user.OneDnn, "AVX2") && IsPin(user.Mkl, "AVX2"))
            CpuKernels = PinnedToAvx2; // the kit's own values, e.g. inherited from a parent process that called Setup
        else if (user.Aten is not null || user.OneDnn is not null || user.Mkl is not null)
            CpuKernels = $"{AtenVariable}={user.Aten ?? "unset"}, {OneDnnVariable}={user.OneDnn ?? "unset"}, {MklVariable}={user.Mkl ?? "unset"} (set by the environment)";
        else if (!(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64))
            CpuKernels = "native (the kit pins on x64 Linux only; set ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2 and MKL_CBWR=AVX2 yourself)";
        else if (!Avx2.IsSupported)
            CpuKernels = "native (no AVX2 on this CPU: results can differ from an AVX2 machine's)";
        else
        {
            Set(AtenVariable, "avx2");
            Set(OneDnnVariable, "AVX2");
            Set(MklVariable, "AVX2");
            CpuKernels = PinnedToAvx2;
        }
    }

    static bool IsPin(string? value, string pin) => string.Equals(value, pin, StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of <see cref="CpuKernels"/> when the kit pinned them.</summary>
    public const string PinnedToAvx2 = "avx2 (ATen, oneDNN, oneMKL pinned)";

    /// <summary>
    /// Turns libtorch's deterministic algorithms on or off. On the CPU an op without a deterministic implementation then
    /// throws instead of varying, and new tensors from <c>empty</c> are filled with NaN, so reading one shows. Where CUDA
    /// is available such an op only warns (several CUDA kernels have none; untested here, so a GPU run is never stopped
    /// by it), and cuBLAS gets the fixed workspace it needs to be deterministic (CUBLAS_WORKSPACE_CONFIG, unless set)
    /// before its first matrix product. Returns false where the switch cannot be reached (see <see cref="AtenContext"/>).
    /// </summary>
    internal static bool UseDeterministicAlgorithms(bool on)
    {
        bool cuda = TorchSharp.torch.cuda.is_available();
        if (on && cuda && OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG") is null)
            Set("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
        return AtenContext.TrySetDeterministicAlgorithms(on, warnOnly: cuda);
    }

    /// <summary>Both environments: .NET's copy and the C library's, which native code reads with getenv.</summary>
    static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux() && SetEnv(name, value, 1) != 0)
            throw new TorchSetupException($"setenv({name}) failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    static extern int SetEnv(string name, string value, int overwrite);
}
