using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace PeftKit.Tests.Setup;

/// <summary>What KitTorch.Setup does for reproducible numbers, checked in libtorch itself rather than in the kit's flags.</summary>
public sealed class ReproducibilityTests
{
    [Fact]
    public void SetupTurnsLibtorchsDeterministicAlgorithmsOnAndCanTurnThemOff()
    {
        try
        {
            var info = KitTorch.Setup();
            Assert.True(Reproducibility.Deterministic);
            Assert.True(info.Deterministic); // what a notebook's setup cell shows and its fingerprint records
            // libtorch's own effect of the switch: uninitialised memory is filled with NaN, so reading it shows.
            using (var fresh = empty(64))
                Assert.True(fresh.isnan().all().item<bool>(), "empty() was not NaN-filled: libtorch's deterministic mode is not on");

            Assert.False(KitTorch.Setup(deterministic: false).Deterministic);
            Assert.False(Reproducibility.Deterministic);
        }
        finally
        {
            KitTorch.Setup(); // the default, for every other test
        }
        Assert.True(Reproducibility.Deterministic);
    }

    [Fact]
    public void CpuKernelsArePinnedToAvx2InTheEnvironmentLibtorchReads()
    {
        var info = KitTorch.Setup();
        Assert.Equal(Reproducibility.CpuKernels, info.CpuKernels);
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || !Avx2.IsSupported
            || Reproducibility.CpuKernels.EndsWith("(set by the environment)", StringComparison.Ordinal)
            || Environment.GetEnvironmentVariable("PEFTKIT_CPU_KERNELS") == "native")
        {
            Assert.DoesNotContain("pinned", Reproducibility.CpuKernels);
            return;
        }
        Assert.Equal(Reproducibility.PinnedToAvx2, Reproducibility.CpuKernels);
        // The C library's environment (what libtorch's getenv reads), not only .NET's copy of it.
        Assert.Equal("avx2", Marshal.PtrToStringUTF8(GetEnv("ATEN_CPU_CAPABILITY")));
        Assert.Equal("AVX2", Marshal.PtrToStringUTF8(GetEnv("ONEDNN_MAX_CPU_ISA")));
        Assert.Equal("AVX2", Marshal.PtrToStringUTF8(GetEnv("MKL_CBWR")));
    }

    [Fact]
    public void AChildProcessThatInheritsTheKitsOwnPinsReportsThemAsPinned()
    {
        KitTorch.Setup();
        if (Reproducibility.CpuKernels != Reproducibility.PinnedToAvx2) return; // not pinned on this host (see above)
        // A process started by one that called Setup (the tests' notebook runs, dotnet-repl launched by kit) finds the
        // kit's values already in its environment; they are the same numerics, so its notebooks must record the same line.
        Reproducibility.PinCpuKernels();
        Assert.Equal(Reproducibility.PinnedToAvx2, Reproducibility.CpuKernels);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnv(string name);
}
