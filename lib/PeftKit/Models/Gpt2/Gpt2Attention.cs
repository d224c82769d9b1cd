using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>GPT-2 causal self-attention with the fused q/k/v projection <c>c_attn</c>.</summary>
internal sealed class Gpt2Attention : Module
{
    Module<Tensor, Tensor> c_attn;   // Conv1D (d, 3d)
    Module<Tensor, Tensor> c_proj;   // Conv1D (d, d)
    readonly Dropout resid_dropout;
    readonly int _layer, _heads, _width;
    readonly double _dropout;

    public Gpt2Attention(TransformerConfig config, int layer) : base(nameof(Gpt2Attention))
    {
        _layer = layer;
        _heads = config.NumHeads;
        _width = config.HiddenSize;
        _dropout = config.Dropout;
        c_attn = new Conv1D(_width, 3 * _width, config.InitStd);
        // GPT-2 scales the init of projections into the residual stream by 1/sqrt(2L).
        c_proj = new Conv1D(_width, _width, config.InitStd / Math.Sqrt(2.0 * config.NumLayers));
        resid_dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        long B = x.shape[0], T = x.shape[1], hs = _width / _heads;
        var qkv = c_attn.call(x).split(_width, 2);                      // 3 × (B, T, d)
        var q = qkv[0].view(B, T, _heads, hs).transpose(1, 2);          // (B, nh, T, hs)
        var k = qkv[1].view(B, T, _heads, hs).transpose(1, 2);          // (B, nh, T, hs)
        var v = qkv[2].view(B, T, _heads, hs).transpose(1, 2);          // (B, nh, T, hs)
        var y = ctx.Attend(_layer, q, k, v, training ? _dropout : 0);  // (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, _width);          // (B, T, d): heads side by side
        return resid_dropout.call(c_proj.call(y));
    }
}
