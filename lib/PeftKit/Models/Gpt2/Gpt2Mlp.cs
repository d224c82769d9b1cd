using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>GPT-2 feed-forward: c_fc (d → 4d), gelu_new (tanh approximation), c_proj (4d → d), dropout.</summary>
internal sealed class Gpt2Mlp : Module<Tensor, Tensor>
{
    Module<Tensor, Tensor> c_fc;     // Conv1D (d, f)
    Module<Tensor, Tensor> c_proj;   // Conv1D (f, d)
    readonly Dropout dropout;

    public Gpt2Mlp(TransformerConfig config) : base(nameof(Gpt2Mlp))
    {
        c_fc = new Conv1D(config.HiddenSize, config.IntermediateSize, config.InitStd);
        c_proj = new Conv1D(config.IntermediateSize, config.HiddenSize, config.InitStd / Math.Sqrt(2.0 * config.NumLayers));
        dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    // gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), torch's gelu(approximate="tanh").
    public override Tensor forward(Tensor x) =>
        dropout.call(c_proj.call(functional.gelu(c_fc.call(x), TorchSharp.Modules.GELU.Approximate.tanh)));   // (B, T, d)
}
