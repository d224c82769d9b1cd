using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>BERT's bidirectional self-attention with separate query/key/value projections.</summary>
internal sealed class BertSelfAttention : Module
{
    Module<Tensor, Tensor> query;   // Linear (d → d)
    Module<Tensor, Tensor> key;     // Linear (d → d)
    Module<Tensor, Tensor> value;   // Linear (d → d)
    readonly int _layer, _heads, _width;
    readonly double _dropout;

    public BertSelfAttention(TransformerConfig config, int layer) : base(nameof(BertSelfAttention))
    {
        _layer = layer;
        _heads = config.NumHeads;
        _width = config.HiddenSize;
        _dropout = config.Dropout;
        query = Linear(_width, _width);
        key = Linear(_width, _width);
        value = Linear(_width, _width);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        long B = x.shape[0], T = x.shape[1], hs = _width / _heads;
        var q = query.call(x).view(B, T, _heads, hs).transpose(1, 2);  // (B, nh, T, hs)
        var k = key.call(x).view(B, T, _heads, hs).transpose(1, 2);    // (B, nh, T, hs)
        var v = value.call(x).view(B, T, _heads, hs).transpose(1, 2);  // (B, nh, T, hs)
        var y = ctx.Attend(_layer, q, k, v, training ? _dropout : 0);  // (B, nh, T, hs)
        return y.transpose(1, 2).contiguous().view(B, T, _width);       // (B, T, d)
    }
}
