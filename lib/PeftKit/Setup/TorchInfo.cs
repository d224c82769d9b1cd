namespace PeftKit.Setup;

/// <summary>
/// What <see cref="KitTorch.Setup"/> set up: versions, backend, device, threads, seed, how reproducible the numerics are,
/// and the libstdc++ fix.
/// </summary>
/// <param name="TorchSharpVersion">The TorchSharp package version.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp was built against.</param>
/// <param name="Backend">"cuda" when a CUDA backend is loaded and a GPU is usable, else "cpu".</param>
/// <param name="Device">The chosen device, e.g. "cpu" or "cuda:0".</param>
/// <param name="Threads">Intra-op threads torch uses.</param>
/// <param name="Seed">The seed given to every generator.</param>
/// <param name="Deterministic">Whether libtorch's deterministic algorithms are on (<see cref="Reproducibility.Deterministic"/>).</param>
/// <param name="CpuKernels">How the CPU kernels were chosen (<see cref="Reproducibility.CpuKernels"/>).</param>
/// <param name="Compat">What was done about the host's libstdc++.</param>
public sealed record TorchInfo(string TorchSharpVersion, string LibTorchVersion, string Backend, string Device,
    int Threads, int Seed, bool Deterministic, string CpuKernels, NativeCompatStatus Compat)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"TorchSharp {TorchSharpVersion} · libtorch {LibTorchVersion} · backend {Backend} · device {Device} · " +
        $"threads {Threads} · seed {Seed}\ndeterministic algorithms: {(Deterministic ? "on" : "off")} · CPU kernels: {CpuKernels}\n" +
        $"libstdc++ fix: {Compat.Reason}";
}
