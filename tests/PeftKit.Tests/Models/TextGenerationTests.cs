namespace PeftKit.Tests.Models;

public class TextGenerationTests
{
    public TextGenerationTests() => KitTorch.Setup();

    sealed class FixedPrefix : IPrefixProvider
    {
        readonly Tensor _k = randn(1, 4, 3, 8, generator: new Generator(5)), _v = randn(1, 4, 3, 8, generator: new Generator(6));
        public int Length => 3;
        public (Tensor key, Tensor value)? ForLayer(int layer, int batchSize) =>
            layer == 1 ? null : (_k.expand(batchSize, -1, -1, -1), _v.expand(batchSize, -1, -1, -1));
    }

    sealed class PrependTwo(TransformerModel model) : IInputTransform
    {
        readonly Tensor _prompt = tensor(new long[,] { { 7, 9 } });
        public (Tensor embeds, Tensor mask) Transform(Tensor tokenEmbeds, Tensor inputIds, Tensor attentionMask)
        {
            long B = inputIds.shape[0];
            return (cat([model.WordEmbeddings.call(_prompt).expand(B, -1, -1), tokenEmbeds], 1), cat([ones(B, 2, int64), attentionMask], 1));
        }
        public Tensor RealTokenIndex(Tensor inputIds) => (arange(inputIds.shape[1]) + 2).expand(inputIds.shape[0], -1);
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("prefix", 0)]
    [InlineData("transform", 0)]
    [InlineData("none", 5)]
    [InlineData("prefix", 5)]
    public void CachedGenerationEqualsRecomputingEveryStep(string extension, int topK)
    {
        using var model = TinyModels.Create(ModelKind.Decoder, seed: 40);
        if (extension == "prefix") model.Prefix = new FixedPrefix();
        if (extension == "transform") model.InputTransform = new PrependTwo(model);
        // Left padding: row 1 has 2 real tokens.
        using var prompt = TinyModels.Ids(2, 4, seed: 41);
        using var mask = tensor(new long[,] { { 1, 1, 1, 1 }, { 0, 0, 1, 1 } });
        var options = new GenerationOptions(MaxNewTokens: 12, TopK: topK, Seed: 3);
        using var cached = TextGeneration.Generate(model, prompt, options, mask);
        using var recomputed = TextGeneration.Generate(model, prompt, options with { UseCache = false }, mask);
        Assert.Equal([2L, 16L], cached.shape);
        Assert.True(TinyModels.Same(cached, recomputed), $"{cached.ToString(TorchSharp.TensorStringStyle.Julia)}\nvs\n{recomputed.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    [Fact]
    public void GreedyPicksTheArgmaxOfAFullForwardAndRowsMatchUnpaddedRuns()
    {
        using var model = TinyModels.Create(ModelKind.Decoder, seed: 42);
        using var prompt = tensor(new long[,] { { 0, 0, 5, 6 } });
        using var mask = tensor(new long[,] { { 0, 0, 1, 1 } });
        using var padded = TextGeneration.Generate(model, prompt, new GenerationOptions(MaxNewTokens: 6), mask);
        using var alone = TextGeneration.Generate(model, prompt[.., 2..], new GenerationOptions(MaxNewTokens: 6));
        Assert.True(TinyModels.Same(padded[.., 2..], alone));
        using var logits = model.forward(new ModelInput(alone[.., ..^1])).Logits!;
        Assert.True(TinyModels.Same(logits[.., 1..].argmax(-1), alone[.., 2..]));   // every new token is the argmax
    }

    [Fact]
    public void TopKSamplesOnlyFromTheKMostLikelyTokensAndIsReproducible()
    {
        using var model = TinyModels.Create(ModelKind.Decoder, seed: 43);
        using var prompt = TinyModels.Ids(3, 3, seed: 44);
        var options = new GenerationOptions(MaxNewTokens: 10, TopK: 3, Temperature: 2f, Seed: 9);
        using var a = TextGeneration.Generate(model, prompt, options);
        using var b = TextGeneration.Generate(model, prompt, options);
        Assert.True(TinyModels.Same(a, b));
        using var logits = model.forward(new ModelInput(a[.., ..^1])).Logits![.., 2..];      // (3, 10, V) predicting the new tokens
        using var top3 = logits.topk(3, -1).indexes;                                        // (3, 10, 3)
        Assert.True(top3.eq(a[.., 3..].unsqueeze(-1)).any(-1).all().item<bool>());
        using var greedy = TextGeneration.Generate(model, prompt, options with { TopK = 0 });
        Assert.False(TinyModels.Same(a, greedy));   // temperature 2 over 3 candidates does not collapse to greedy
        using var topOne = TextGeneration.Generate(model, prompt, options with { TopK = 1 });
        Assert.True(TinyModels.Same(topOne, greedy));
    }

    [Fact]
    public void EosEndsRowsAndWrongHeadsAreRejected()
    {
        using var model = TinyModels.Create(ModelKind.Decoder, seed: 45);
        using var prompt = TinyModels.Ids(1, 3, seed: 46);
        using var free = TextGeneration.Generate(model, prompt, new GenerationOptions(MaxNewTokens: 5));
        long eos = free[0, 4].item<long>();   // the second generated token
        using var stopped = TextGeneration.Generate(model, prompt, new GenerationOptions(MaxNewTokens: 5, EosTokenId: eos));
        Assert.True(stopped.shape[1] <= 5);
        Assert.Equal(eos, stopped[0, -1].item<long>());
        using var encoder = TinyModels.Create(ModelKind.Encoder);
        var e = Assert.Throws<InvalidOperationException>(() => TextGeneration.Generate(encoder, prompt, new GenerationOptions()));
        Assert.Contains("LanguageModel head", e.Message);
    }
}
