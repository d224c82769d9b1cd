using PeftKit.Models;
using static TorchSharp.torch;

namespace PeftKit.Pretraining;

/// <summary>
/// Cuts a token stream into encoder sequences <c>[CLS] w₁ … w_{T−2} [SEP]</c> and corrupts them with
/// <see cref="MlmMasking"/> (a new draw per batch during training: dynamic masking, as RoBERTa does).
/// </summary>
public sealed class MaskedLmBatcher
{
    readonly NextTokenBatcher _windows;   // windows of T − 2 body tokens
    readonly int _cls, _sep;

    /// <summary>Creates the batcher.</summary>
    /// <param name="stream">Token stream (documents joined by end-of-text).</param>
    /// <param name="sequenceLength">T, including [CLS] and [SEP].</param>
    /// <param name="clsId">Id of [CLS].</param>
    /// <param name="sepId">Id of [SEP].</param>
    /// <param name="masking">The corruption rule.</param>
    public MaskedLmBatcher(IReadOnlyList<int> stream, int sequenceLength, int clsId, int sepId, MlmMasking masking)
    {
        if (sequenceLength < 4)
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "An MLM sequence needs at least 4 positions ([CLS], 2 tokens, [SEP]).");
        _windows = new NextTokenBatcher(stream, sequenceLength - 2);
        SequenceLength = sequenceLength;
        _cls = clsId;
        _sep = sepId;
        Masking = masking ?? throw new ArgumentNullException(nameof(masking));
    }

    /// <summary>Positions per sequence, T.</summary>
    public int SequenceLength { get; }

    /// <summary>The corruption rule.</summary>
    public MlmMasking Masking { get; }

    /// <summary>Non-overlapping sequences that fit in the stream.</summary>
    public int WindowCount => _windows.WindowCount;

    /// <summary>Uncorrupted sequences at the body offsets <paramref name="starts"/>, row-major (B·T).</summary>
    public long[] Clean(IReadOnlyList<int> starts)
    {
        int T = SequenceLength, body = T - 2;
        var windows = _windows.Window(starts);
        var ids = new long[starts.Count * T];
        for (int b = 0; b < starts.Count; b++)
        {
            ids[b * T] = _cls;
            Array.Copy(windows, b * body, ids, b * T + 1, body);
            ids[b * T + T - 1] = _sep;
        }
        return ids;
    }

    /// <summary>A corrupted batch (B, T) with MLM labels for the sequences at <paramref name="starts"/>.</summary>
    public ModelInput Batch(IReadOnlyList<int> starts, Random rng, Device? device = null)
    {
        var ids = Clean(starts);
        var labels = Masking.Apply(ids, rng);
        long[] shape = [starts.Count, SequenceLength];
        return new ModelInput(tensor(ids, shape, device: device), Labels: tensor(labels, shape, device: device));   // (B, T) each
    }

    /// <summary>Body offsets of the non-overlapping sequences first … first + count − 1.</summary>
    public int[] FixedStarts(int first, int count) => _windows.FixedStarts(first, count);

    /// <summary>An endless sequence of random, freshly masked batches from a generator seeded with <paramref name="seed"/>.</summary>
    public IEnumerable<ModelInput> RandomBatches(int batchSize, int seed, Device? device = null)
    {
        var rng = new Random(seed);
        while (true) yield return Batch(_windows.SampleStarts(rng, batchSize), rng, device);
    }
}
