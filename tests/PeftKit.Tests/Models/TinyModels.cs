namespace PeftKit.Tests.Models;

/// <summary>Small configurations and helpers shared by the model tests.</summary>
internal static class TinyModels
{
    static TinyModels() => KitTorch.Setup();

    public static TransformerConfig Decoder { get; } = new(ModelKind.Decoder, vocabSize: 61, maxPositions: 40, hiddenSize: 32,
        numLayers: 2, numHeads: 4, intermediateSize: 64, layerNormEps: 1e-5f, dropout: 0.1f);

    public static TransformerConfig Encoder { get; } = new(ModelKind.Encoder, vocabSize: 61, maxPositions: 40, hiddenSize: 32,
        numLayers: 2, numHeads: 4, intermediateSize: 64, layerNormEps: 1e-12f, dropout: 0.1f, typeVocabSize: 2);

    public static TransformerConfig Of(ModelKind kind) => kind == ModelKind.Decoder ? Decoder : Encoder;

    /// <summary>A model in eval mode (dropout off) with its LayerNorms and biases randomised too, so no parameter is trivially 0/1.</summary>
    public static TransformerModel Create(ModelKind kind, HeadKind? head = null, int numLabels = 0, long seed = 1)
    {
        KitTorch.Setup();
        using var gen = new TorchSharp.torch.Generator((ulong)seed);
        var model = new TransformerModel(Of(kind), head, numLabels);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.EndsWith("bias") || name.Contains("LayerNorm") || name.Contains("ln_"))
                    p.add_(randn(p.shape, generator: gen) * 0.1);
        model.eval();
        return model;
    }

    /// <summary>Same shape and bit-identical values (torch.equal).</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static Tensor Ids(long batch, long length, long seed) =>
        randint(1, 61, [batch, length], generator: new TorchSharp.torch.Generator((ulong)seed), dtype: int64);
}
