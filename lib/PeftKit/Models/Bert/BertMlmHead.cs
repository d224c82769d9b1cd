using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary><c>cls</c>: holds <c>predictions</c>, the masked-LM head (key layout of BertForMaskedLM).</summary>
internal sealed class BertMlmHead : Module
{
    public readonly BertLmPredictionHead predictions;

    public BertMlmHead(TransformerConfig config) : base(nameof(BertMlmHead))
    {
        predictions = new BertLmPredictionHead(config);
        RegisterComponents();
    }
}

/// <summary><c>cls.predictions</c>: transform (dense, gelu, LayerNorm), then the tied decoder plus <c>bias</c>.</summary>
internal sealed class BertLmPredictionHead : Module
{
    readonly BertPredictionTransform transform;
    readonly Parameter bias;   // (V)

    public BertLmPredictionHead(TransformerConfig config) : base(nameof(BertLmPredictionHead))
    {
        transform = new BertPredictionTransform(config);
        bias = new Parameter(zeros(config.VocabSize));
        RegisterComponents();
    }

    /// <summary>h (B, T, d), tied decoder weight (V, d) → logits (B, T, V).</summary>
    public Tensor forward(Tensor h, Tensor decoderWeight) => functional.linear(transform.call(h), decoderWeight, bias);
}

/// <summary><c>cls.predictions.transform</c>: LayerNorm(gelu(dense(h))).</summary>
internal sealed class BertPredictionTransform : Module<Tensor, Tensor>
{
    Module<Tensor, Tensor> dense;
    readonly LayerNorm LayerNorm;

    public BertPredictionTransform(TransformerConfig config) : base(nameof(BertPredictionTransform))
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h) => LayerNorm.call(functional.gelu(dense.call(h)));   // (B, T, d)
}
