using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>BERT attention sublayer: <c>self</c> (q/k/v and softmax) then <c>output</c> (dense, add, LayerNorm; pre-LN: the LayerNorm on the input).</summary>
internal sealed class BertAttention : Module
{
    readonly BertSelfAttention self;
    public readonly BertResidualOutput output;

    public BertAttention(TransformerConfig config, int layer) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config, layer);
        output = new BertResidualOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Post-LN: LN(attn(x) + x); pre-LN: attn(LN(x)) + x. (B, T, d) → (B, T, d).</summary>
    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        var input = output.Normalize(x);                               // (B, T, d): what the attention reads
        return output.forward(self.forward(input, ctx), x, input);
    }
}
