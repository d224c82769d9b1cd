using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit;

/// <summary>Where one saved tensor goes: the shape it must have and how it is written into the model.</summary>
internal sealed record LoadTarget(long[] Shape, Action<Tensor> Assign)
{
    /// <summary>Copies the value into <paramref name="p"/> (converted to its dtype and device).</summary>
    public static LoadTarget Into(Parameter p) => new(p.shape, v => p.copy_(v.to(p.dtype, p.device)));
}
