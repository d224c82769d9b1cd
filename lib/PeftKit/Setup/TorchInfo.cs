namespace PeftKit.Setup;

/// <summary>What <see cref="KitTorch.Setup"/> set up: versions, backend, device, threads, seed, libstdc++ fix.</summary>
/// <param name="TorchSharpVersion">The TorchSharp package version.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp was built against.</param>
/// <param name="Backend">"cuda" when a CUDA backend is loaded and a GPU is usable, else "cpu".</param>
/// <param name="Device">The chosen device, e.g. "cpu" or "cuda:0".</param>
/// <param name="Threads">Intra-op threads torch uses.</param>
/// <param name="Seed">The seed given to every generator.</param>
/// <param name="Compat">What was done about the host's libstdc++.</param>
public sealed record TorchInfo(string TorchSharpVersion, string LibTorchVersion, string Backend, string Device,
    int Threads, int Seed, NativeCompatStatus Compat)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"TorchSharp {TorchSharpVersion} · libtorch {LibTorchVersion} · backend {Backend} · device {Device} · " +
        $"threads {Threads} · seed {Seed}\nlibstdc++ fix: {Compat.Reason}";
}
