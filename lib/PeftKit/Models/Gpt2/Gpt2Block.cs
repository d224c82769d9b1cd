using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>One pre-LayerNorm GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)); adapters wrap each sublayer output.</summary>
internal sealed class Gpt2Block : Module, ISublayerAdapterHost
{
    readonly LayerNorm ln_1;
    readonly Gpt2Attention attn;
    readonly LayerNorm ln_2;
    readonly Gpt2Mlp mlp;
    Module<Tensor, Tensor>? attn_adapter;
    Module<Tensor, Tensor>? mlp_adapter;

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
        x = x + Adapt(attn_adapter, attn.forward(ln_1.call(x), ctx));   // (B, T, d)
        x = x + Adapt(mlp_adapter, mlp.call(ln_2.call(x)));              // (B, T, d)
        return x;
    }

    public void SetAdapter(Sublayer which, Module<Tensor, Tensor>? adapter)
    {
        if (which == Sublayer.Attention) { attn_adapter = adapter; ModuleTree.SetChild(this, nameof(attn_adapter), adapter); }
        else { mlp_adapter = adapter; ModuleTree.SetChild(this, nameof(mlp_adapter), adapter); }
    }

    static Tensor Adapt(Module<Tensor, Tensor>? adapter, Tensor h) => adapter is null ? h : adapter.call(h);
}
