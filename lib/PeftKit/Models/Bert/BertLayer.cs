using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// One BERT layer: attention (with its add+LN), then intermediate and output (with its add+LN); with
/// <see cref="TransformerConfig.PreLayerNorm"/> each LayerNorm moves to its sublayer's input.
/// </summary>
internal sealed class BertLayer : Module, ISublayerAdapterHost
{
    readonly BertAttention attention;
    readonly BertIntermediate intermediate;
    readonly BertResidualOutput output;

    public BertLayer(TransformerConfig config, int layer) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, layer);
        intermediate = new BertIntermediate(config);
        output = new BertResidualOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        var a = attention.forward(x, ctx);                    // (B, T, d) = LN(attn(x) + x) | attn(LN(x)) + x
        var input = output.Normalize(a);                      // (B, T, d): what the feed-forward block reads
        return output.forward(intermediate.call(input), a, input);   // (B, T, d) = LN(ffn(a) + a) | ffn(LN(a)) + a
    }

    public void SetAdapter(Sublayer which, Module<Tensor, Tensor>? adapter)
    {
        if (which == Sublayer.Attention) attention.output.SetAdapter(adapter);
        else output.SetAdapter(adapter);
    }

    public void SetParallelAdapter(Sublayer which, Module<Tensor, Tensor>? adapter)
    {
        if (which == Sublayer.Attention) attention.output.SetParallelAdapter(adapter);
        else output.SetParallelAdapter(adapter);
    }
}
