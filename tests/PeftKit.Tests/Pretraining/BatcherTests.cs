using PeftKit.Pretraining;

namespace PeftKit.Tests.Pretraining;

/// <summary>Next-token windows are exact slices whose loss targets the following stream token; MLM sequences are framed by [CLS] … [SEP].</summary>
public sealed class BatcherTests
{
    public BatcherTests() => KitTorch.Setup();

    static int[] Stream(int n, int vocab, int seed)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => r.Next(6, vocab))];
    }

    [Fact]
    public void NextTokenRowsAreStreamSlicesAndTheLossPredictsTheNextStreamToken()
    {
        const int V = 50, T = 9;
        var stream = Stream(200, V, 1);
        var batcher = new NextTokenBatcher(stream, T);
        int[] starts = [0, 17, 191];   // 191 = the last valid start (200 − 9)
        var batch = batcher.Batch(starts);
        var ids = batch.InputIds.data<long>().ToArray();
        for (int b = 0; b < starts.Length; b++)
            for (int t = 0; t < T; t++) Assert.Equal(stream[starts[b] + t], ids[b * T + t]);

        manual_seed(5);
        var config = new TransformerConfig(ModelKind.Decoder, V, 16, 16, 1, 2, 32, 1e-5f, 0f);
        using var model = new TransformerModel(config);
        model.eval();
        using var output = model.forward(batch);
        // Reference computed from the stream, not the batch: logits at (b, t) score stream[start_b + t + 1].
        var logp = nn.functional.log_softmax(output.Logits!.to(ScalarType.Float64), -1);   // (B, T, V)
        double nll = 0;
        for (int b = 0; b < starts.Length; b++)
            for (int t = 0; t < T - 1; t++) nll -= logp[b, t, stream[starts[b] + t + 1]].item<double>();
        nll /= starts.Length * (T - 1);
        // float32 cross-entropy over 24 terms of size ~4: relative error ~1e-6; 1e-5 leaves room, an off-by-one shift is ~10% off.
        Assert.Equal(nll, output.Loss!.item<float>(), nll * 1e-5);
    }

    [Fact]
    public void FixedWindowsTileTheStreamWithoutOverlap()
    {
        var batcher = new NextTokenBatcher(Stream(100, 30, 2), 8);
        Assert.Equal(12, batcher.WindowCount);
        Assert.Equal([0, 8, 16], batcher.FixedStarts(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Window([93]));
    }

    [Fact]
    public void StreamShorterThanOneWindowIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new NextTokenBatcher([7, 8, 9], 8));
        Assert.Contains("fewer than one window of 8", e.Message);
    }

    [Fact]
    public void MaskedLmSequencesAreClsBodySepAndOnlyTheBodyIsMasked()
    {
        const int T = 10;
        var stream = Stream(500, 40, 3);
        var batcher = new MaskedLmBatcher(stream, T, clsId: 2, sepId: 3, new MlmMasking(4, 6, 40, selectProbability: 0.5));
        int[] starts = [0, 100, 492];
        var clean = batcher.Clean(starts);
        for (int b = 0; b < starts.Length; b++)
        {
            Assert.Equal(2, clean[b * T]);
            Assert.Equal(3, clean[b * T + T - 1]);
            for (int t = 1; t < T - 1; t++) Assert.Equal(stream[starts[b] + t - 1], clean[b * T + t]);
        }
        var batch = batcher.Batch(starts, new Random(1));
        var ids = batch.InputIds.data<long>().ToArray();
        var labels = batch.Labels!.data<long>().ToArray();
        for (int b = 0; b < starts.Length; b++)
        {
            Assert.Equal(MlmMasking.IgnoreLabel, labels[b * T]);
            Assert.Equal(MlmMasking.IgnoreLabel, labels[b * T + T - 1]);
            Assert.Equal(2, ids[b * T]);
            Assert.Equal(3, ids[b * T + T - 1]);
        }
        Assert.Contains(labels, l => l != MlmMasking.IgnoreLabel);
    }
}
