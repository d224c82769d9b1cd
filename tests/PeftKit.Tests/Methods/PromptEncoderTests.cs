using PeftKit.Methods.PTuning;

namespace PeftKit.Tests.Methods;

public sealed class PromptEncoderTests
{
    /// <summary>
    /// Training must repeat bit for bit on CPU. Reading the n prompts with an advanced index (<c>prompts[order]</c>)
    /// did not: its backward is index_put_ with accumulate, which libtorch parallelises with atomic float adds once a
    /// tensor has ≥ 32,768 elements and more than one thread runs, so the summation order (and the last bits of the
    /// gradient) changed from run to run — P-Tuning v1 was the one method whose runs did not repeat. With that code and
    /// these sizes (128 × 64 × 128 elements, 50 repeats) a repeat differed (by up to 2.7e-5) on each of six tries on two
    /// busy cores. The forward must still place prompt k at the k-th pseudo token exactly.
    /// </summary>
    [Fact]
    public void GradientRepeatsBitForBit()
    {
        KitTorch.Setup();
        // The race needs two intra-op threads; on a one-core machine ask for two anyway (test classes run one at a time,
        // so changing the process-wide setting here disturbs no other test).
        int threads = get_num_threads();
        set_num_threads(Math.Max(2, threads));
        try { CheckRepeats(); }
        finally { set_num_threads(threads); }
    }

    static void CheckRepeats()
    {
        const int B = 128, T = 64, d = 128, n = 16;
        const long pseudo = 3;
        using var encoder = new PromptEncoder(PromptEncoderKind.None, n, d, hidden: 0, dropout: 0, pseudoTokenId: pseudo);
        var gen = new Generator(5);
        // Row b: n pseudo tokens starting at position Start(b), other ids ≠ pseudo.
        static int Start(int b) => b % (T - n);
        var ids = full(B, T, 7L, int64);
        for (int b = 0; b < B; b++) ids[b, Start(b)..(Start(b) + n)] = pseudo;
        using var tokens = randn([B, T, d], generator: gen);
        using var weight = randn([B, T, d], generator: gen);
        Tensor Embeds() => encoder.Transform(tokens, ids, ones(B, T, int64)).embeds;   // (B, T, d)
        using (no_grad())
        {
            using var embeds = Embeds();
            using var produced = encoder.Produce();                                      // (n, d)
            for (int b = 0; b < B; b += 37)
            {
                Assert.True(embeds[b, Start(b)..(Start(b) + n)].eq(produced).all().item<bool>(), $"row {b}: prompts");
                Assert.True(embeds[b, ..Start(b)].eq(tokens[b, ..Start(b)]).all().item<bool>(), $"row {b}: tokens");
            }
        }
        Tensor Gradient()
        {
            encoder.zero_grad();
            using var embeds = Embeds();
            (embeds * weight).sum().backward();
            return encoder.parameters().Single().grad!.clone();
        }
        using var first = Gradient();
        for (int i = 1; i < 50; i++)
        {
            using var again = Gradient();
            Assert.True(first.eq(again).all().item<bool>(), $"repeat {i}: max |diff| {(first - again).abs().max().item<float>()}");
        }
    }
}
