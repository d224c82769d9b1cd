using PeftKit.Quantization;

namespace PeftKit.Tests.Quantization;

/// <summary>The NF4 code book, packing, double quantisation and the error bounds of both schemes.</summary>
public sealed class QuantizedWeightTests
{
    public QuantizedWeightTests() => KitTorch.Setup();

    [Fact]
    public void TheCodeBookIsTheNormalQuantileConstruction()
    {
        // QLoRA's construction (bitsandbytes create_normal_map, offset δ = 0.9677083): 8 quantiles Φ⁻¹(p) for p evenly
        // spaced from δ to 0.5 (exclusive), 7 negated ones for 8 points from δ to 0.5, and 0; divided by the largest.
        // p is spaced in float32 as the reference does, Φ⁻¹(p) = √2·erfinv(2p − 1) in float64, the result rounded to float32.
        static double[] Quantiles(int count) =>
            [.. linspace(0.9677083, 0.5, count, dtype: float32).to(float64)[..^1].mul(2).sub(1).erfinv().mul(Math.Sqrt(2)).data<double>()];
        var positive = Quantiles(9);
        var negative = Quantiles(8).Select(v => -v);
        var values = positive.Concat(negative).Append(0.0).Order().ToArray();
        var expected = values.Select(v => (float)(v / values.Max())).ToArray();
        Assert.Equal(16, Nf4Weight.CodeBook.Count);
        // erfinv near p = 0.97 amplifies the float32 spacing of p (Φ⁻¹′ ≈ 14); the two differ by a few float32 ulps.
        for (int i = 0; i < 16; i++) Assert.True(Math.Abs(expected[i] - Nf4Weight.CodeBook[i]) < 2e-6, $"code {i}: {expected[i]} vs {Nf4Weight.CodeBook[i]}");
        Assert.Equal([-1f, 0f, 1f], new[] { Nf4Weight.CodeBook[0], Nf4Weight.CodeBook[7], Nf4Weight.CodeBook[15] });
    }

    [Fact]
    public void CodeBookValuesRoundTripBitForBitAndPackHighNibbleFirst()
    {
        // Every block holds ±1 (absmax exactly 1 everywhere, so double quantisation restores it exactly) and code values.
        var rng = new Random(4);
        int outF = 6, inF = 128;                                                      // 12 blocks of 64
        var index = new long[outF * inF];
        for (int i = 0; i < index.Length; i++) index[i] = i % 64 == 0 ? 15 : i % 64 == 1 ? 0 : rng.Next(16);
        var book = Nf4Weight.CodeBook.ToArray();
        using var w = tensor(index.Select(i => book[i]).ToArray(), [outF, inF]);
        using var q = Nf4Weight.Quantize(w);
        using var back = q.Dequantize();
        Assert.True(back.eq(w).all().item<bool>(), "dequantised = original, bit for bit");
        Assert.Equal(index, q.Indices().data<long>().ToArray());
        var bytes = q.Packed.data<byte>().ToArray();
        Assert.Equal(index.Length / 2, bytes.Length);
        for (int b = 0; b < bytes.Length; b++) Assert.Equal((byte)(index[2 * b] * 16 + index[2 * b + 1]), bytes[b]);
    }

    [Fact]
    public void Nf4ErrorStaysWithinItsBoundAndTheBoundIsNearlyReached()
    {
        // 50 × 200 = 10,000 weights: not a multiple of 64, so the last block is padded.
        using var w = randn(50, 200, generator: new Generator(9)) * 0.05;
        using var q = Nf4Weight.Quantize(w);
        using var back = q.Dequantize();
        var flat = w.reshape(-1).data<float>().ToArray();
        var err = (back - w).abs().reshape(-1).data<float>().ToArray();
        var restored = q.Absmax().data<float>().ToArray();
        var book = Nf4Weight.CodeBook;
        double halfGap = Enumerable.Range(1, 15).Max(i => book[i] - book[i - 1]) / 2.0;   // widest gap (−1 to −0.696), halved
        Assert.Equal(0.1519, halfGap, 4);
        double worstShare = 0;
        for (int b = 0; b < restored.Length; b++)
        {
            var block = flat.Skip(b * 64).Take(64).ToArray();
            double c = block.Max(v => Math.Abs((double)v));                           // the block's true absmax
            // |w − c′·code| ≤ |w − c·code| + |c − c′|·|code| ≤ c·halfGap + |c − c′|; float32 rounding adds < 1e-7 here.
            double bound = c * halfGap + Math.Abs(c - restored[b]) + 1e-7;
            double worst = err.Skip(b * 64).Take(block.Length).Max();
            Assert.True(worst <= bound, $"block {b}: error {worst} above bound {bound}");
            worstShare = Math.Max(worstShare, worst / bound);
        }
        Assert.True(worstShare > 0.5, $"the bound is loose: the worst block reaches only {worstShare:P0} of it");
    }

    [Fact]
    public void DoubleQuantisedConstantsAreWithinHalfAStepOfTheTrueAbsmax()
    {
        using var w = randn(64, 512, generator: new Generator(2)) * 0.02;            // 512 blocks = 2 groups of 256
        using var q = Nf4Weight.Quantize(w);
        using var absmax = w.reshape(-1, 64).abs().amax([1]);                         // (512)
        using var centred = (absmax - absmax.mean()).view(2, 256);
        using var halfStep = (centred.abs().amax([1]) / 127 / 2).repeat_interleave(256);   // (512) half of each group's step
        using var gap = (q.Absmax() - absmax).abs();
        Assert.True(gap.le(halfStep + 1e-9).all().item<bool>(), $"largest gap {gap.max().item<float>()}");
    }

    [Fact]
    public void Int8ErrorIsAtMostHalfAStepPerRow()
    {
        using var w = randn(40, 96, generator: new Generator(5));
        using var q = Int8Weight.Quantize(w);
        using var back = q.Dequantize();
        using var step = w.abs().amax([1]) / 127;                                     // (out)
        using var ratio = (back - w).abs() / step.unsqueeze(1);                       // error in steps
        var worst = ratio.max().item<float>();
        Assert.True(worst <= 0.5 + 1e-5, $"worst error {worst} steps");              // round-to-nearest; float32 division adds ~1e-6
        Assert.True(worst > 0.45, $"worst error {worst} steps: the bound is not reached");
        Assert.True(q.Codes.abs().max().item<sbyte>() == 127, "each row's absmax maps to ±127");
    }

    [Theory]
    [InlineData(768, 2304)]   // GPT-2 small c_attn
    [InlineData(768, 768)]    // c_proj
    [InlineData(768, 3072)]   // c_fc
    [InlineData(3072, 768)]   // mlp.c_proj
    public void StoredBytesAreTheClosedFormsAndMeetTheBudgets(int inF, int outF)
    {
        using var w = randn(outF, inF) * 0.02;
        long n = (long)inF * outF, blocks = n / 64, groups = (blocks + 255) / 256;
        using (var q = Int8Weight.Quantize(w))
        {
            Assert.Equal(n + 4L * outF, q.StoredBytes);                               // int8 codes + a float32 step per row
            Assert.True(q.StoredBytes <= 0.26 * 4 * n, $"int8 stores {q.StoredBytes / (4.0 * n):P2} of float32");
        }
        using (var q = Nf4Weight.Quantize(w))
        {
            Assert.Equal(n / 2 + groups * 256 + 4 * groups + 4, q.StoredBytes);       // nibbles + int8 constants + steps + mean
            Assert.True(q.StoredBytes <= 0.13 * 4 * n, $"NF4 stores {q.StoredBytes / (4.0 * n):P2} of float32");
            Assert.Equal(4.127, 8.0 * q.StoredBytes / n, 2);                          // ≈ 4 + 8/64 + 32/(64·256) bits a weight
        }
    }
}
