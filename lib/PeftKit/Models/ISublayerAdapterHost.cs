using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// A block that can apply an adapter to a sublayer's output before the residual add (serial), and add an adapter's
/// output computed from the sublayer's input beside it (parallel).
/// </summary>
internal interface ISublayerAdapterHost
{
    void SetAdapter(Sublayer which, Module<Tensor, Tensor>? adapter);

    void SetParallelAdapter(Sublayer which, Module<Tensor, Tensor>? adapter);
}
