using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// One pre-LayerNorm GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). Serial adapters wrap each sublayer's output;
/// parallel adapters add their output, computed from the sublayer's input ln(x), beside it.
/// </summary>
internal sealed class Gpt2Block : Module, ISublayerAdapterHost
{
    readonly LayerNorm ln_1;
    readonly Gpt2Attention attn;
    readonly LayerNorm ln_2;
    readonly Gpt2Mlp mlp;
    Module<Tensor, Tensor>? attn_adapter;
    Module<Tensor, Tensor>? mlp_adapter;
    Module<Tensor, Tensor>? attn_parallel_adapter;
    Module<Tensor, Tensor>? mlp_parallel_adapter;

    public Gpt2Block(TransformerConfig config, int layer) : base(nameof(Gpt2Block))
    {
        ln_1 = LayerNorm(config.HiddenSize, config.LayerNormEps);
        attn = new Gpt2Attention(config, layer);
        ln_2 = LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        var a = ln_1.call(x);                                                                        // (B, T, d)
        x = x + Beside(attn_parallel_adapter, a, Adapt(attn_adapter, attn.forward(a, ctx)));   // (B, T, d)
        var m = ln_2.call(x);                                                                        // (B, T, d)
        x = x + Beside(mlp_parallel_adapter, m, Adapt(mlp_adapter, mlp.call(m)));              // (B, T, d)
        return x;
    }

    public void SetAdapter(Sublayer which, Module<Tensor, Tensor>? adapter)
    {
        if (which == Sublayer.Attention) { attn_adapter = adapter; ModuleTree.SetChild(this, nameof(attn_adapter), adapter); }
        else { mlp_adapter = adapter; ModuleTree.SetChild(this, nameof(mlp_adapter), adapter); }
    }

    public void SetParallelAdapter(Sublayer which, Module<Tensor, Tensor>? adapter)
    {
        if (which == Sublayer.Attention) { attn_parallel_adapter = adapter; ModuleTree.SetChild(this, nameof(attn_parallel_adapter), adapter); }
        else { mlp_parallel_adapter = adapter; ModuleTree.SetChild(this, nameof(mlp_parallel_adapter), adapter); }
    }

    static Tensor Adapt(Module<Tensor, Tensor>? adapter, Tensor h) => adapter is null ? h : adapter.call(h);

    /// <summary>The sublayer's output y plus a parallel adapter's output from the sublayer's input x.</summary>
    static Tensor Beside(Module<Tensor, Tensor>? adapter, Tensor x, Tensor y) => adapter is null ? y : y + adapter.call(x);
}
