using PeftKit.Methods.PTuning;

namespace PeftKit.Tests.Methods;

/// <summary>One row of the shared table: a tiny model, a method config, and what the method promises.</summary>
public sealed record MethodRow(
    string Name, ModelKind Kind, HeadKind Head, int Labels, Func<PeftConfig> Config,
    bool IdentityAtInit, bool Mergeable, Func<TransformerConfig, long> ExpectedTrainable, bool Consolidates = false)
{
    public override string ToString() => Name;

    static MethodRow() => KitTorch.Setup();

    /// <summary>d=32, L=2, nh=4, f=64, V=61: small enough that every check runs in well under a second.</summary>
    public static TransformerConfig Tiny(ModelKind kind) => kind == ModelKind.Decoder
        ? new(ModelKind.Decoder, vocabSize: 61, maxPositions: 40, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, layerNormEps: 1e-5f, dropout: 0.1f)
        : new(ModelKind.Encoder, vocabSize: 61, maxPositions: 40, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, layerNormEps: 1e-12f, dropout: 0.1f, typeVocabSize: 2);

    /// <summary>
    /// The same base weights for the same seed, drawn from a private generator (test classes run in parallel, so the
    /// global RNG is shared): weights N(0, 0.02²), biases N(0, 0.1²), LayerNorm weights 1 + N(0, 0.1²), eval mode.
    /// </summary>
    public TransformerModel CreateBase(long seed = 7)
    {
        KitTorch.Setup();
        var model = new TransformerModel(Tiny(Kind), Head, Labels);
        var gen = new Generator((ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                using var r = randn(p.shape, generator: gen);
                bool norm = name.Contains("LayerNorm") || name.Contains("ln_");
                if (name.EndsWith("bias")) p.copy_(r * 0.1);
                else if (norm) p.copy_(r * 0.1 + 1);
                else p.copy_(r * 0.02);
            }
        model.eval();
        return model;
    }

    public static readonly PTuningTemplate Template = new(
        [TemplatePart.Prompt(2), TemplatePart.Input(), TemplatePart.Prompt(1), TemplatePart.Tokens(5), TemplatePart.Mask], pseudoTokenId: 59, maskTokenId: 60);

    /// <summary>(B=3, T) ids and a mask whose last row has two right-padding positions.</summary>
    public (Tensor ids, Tensor mask) Inputs(long seed = 11)
    {
        var gen = new Generator((ulong)seed);
        if (Config() is PTuningConfig)
        {
            var rows = Enumerable.Range(0, 3).Select(_ => Template.Fill(randint(1, 50, [4], generator: gen, dtype: int64).data<long>().ToArray())).ToArray();
            return (tensor(rows.SelectMany(r => r).ToArray(), int64).view(3, rows[0].Length), ones(3, rows[0].Length, int64));
        }
        var ids = randint(1, 59, [3, 7], generator: gen, dtype: int64);
        var mask = ones(3, 7, int64);
        mask[2, 5..] = 0;
        return (ids, mask);
    }
}
