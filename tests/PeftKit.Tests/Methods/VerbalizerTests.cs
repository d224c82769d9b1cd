using PeftKit.Methods.PTuning;

namespace PeftKit.Tests.Methods;

public sealed class VerbalizerTests
{
    // logits[b, t, v] = 100·b + 10·t + v, so every read value names the row, position and word it came from.
    static Tensor Logits(long B, long T, long V) =>
        (arange(B).view(B, 1, 1) * 100 + arange(T).view(1, T, 1) * 10 + arange(V).view(1, 1, V)).to(float32);

    [Fact]
    public void EncoderReadsTheMaskPosition()
    {
        var v = new Verbalizer([3, 1]);
        using var ids = tensor(new long[] { 7, 9, 8, 8, 7, 9 }, [2, 3]);      // [MASK] = 9 at positions 1 and 2
        using var logits = Logits(2, 3, 5);
        using var read = v.Logits(logits, ids, maskTokenId: 9);
        Assert.Equal(new float[] { 13, 11, 123, 121 }, read.data<float>().ToArray());
        using var twoMasks = tensor(new long[] { 9, 9, 8, 8, 7, 9 }, [2, 3]);
        Assert.Contains("exactly one [MASK]", Assert.Throws<ArgumentException>(() => v.Logits(logits, twoMasks, 9)).Message);
    }

    [Fact]
    public void DecoderReadsTheLastRealTokenWithEitherPadding()
    {
        var v = new Verbalizer([3, 1]);
        using var logits = Logits(3, 4, 5);
        // Row 0 right-padded (last real token at 1), row 1 full (3), row 2 left-padded (3).
        using var mask = tensor(new long[] { 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1 }, [3, 4]);
        using var read = v.LogitsAtLastToken(logits, mask);
        Assert.Equal(new float[] { 13, 11, 133, 131, 233, 231 }, read.data<float>().ToArray());
    }
}
