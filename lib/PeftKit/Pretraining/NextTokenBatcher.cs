using PeftKit.Models;
using static TorchSharp.torch;

namespace PeftKit.Pretraining;

/// <summary>
/// Cuts a token stream into windows for next-token (causal LM) training. A window is <c>T</c> consecutive stream
/// tokens used as both input and labels: the decoder's LM head shifts internally (position t predicts label t+1),
/// so window row b, position t is trained to predict stream[start_b + t + 1].
/// </summary>
public sealed class NextTokenBatcher
{
    readonly int[] _stream;

    /// <summary>Batches windows of <paramref name="sequenceLength"/> tokens of <paramref name="stream"/>.</summary>
    public NextTokenBatcher(IReadOnlyList<int> stream, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (sequenceLength < 2)
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "A next-token window needs at least 2 tokens.");
        if (stream.Count < sequenceLength)
            throw new ArgumentException(
                $"The token stream has {stream.Count} tokens, fewer than one window of {sequenceLength}; use more text or a shorter sequence length.",
                nameof(stream));
        _stream = [.. stream];
        SequenceLength = sequenceLength;
    }

    /// <summary>Tokens per window, T.</summary>
    public int SequenceLength { get; }

    /// <summary>Non-overlapping windows that fit in the stream (the evaluation windows: starts 0, T, 2T, …).</summary>
    public int WindowCount => _stream.Length / SequenceLength;

    /// <summary>Largest valid random start offset + 1.</summary>
    int StartRange => _stream.Length - SequenceLength + 1;

    /// <summary>Stream offsets of <paramref name="batchSize"/> windows drawn uniformly (nanoGPT-style random windows).</summary>
    public int[] SampleStarts(Random rng, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var starts = new int[batchSize];
        for (int b = 0; b < batchSize; b++) starts[b] = rng.Next(StartRange);
        return starts;
    }

    /// <summary>Offsets of the non-overlapping windows <paramref name="first"/> … first + count − 1.</summary>
    public int[] FixedStarts(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => i * SequenceLength)];

    /// <summary>The window tokens at <paramref name="starts"/>, row-major (B·T).</summary>
    public long[] Window(IReadOnlyList<int> starts)
    {
        int T = SequenceLength;
        var ids = new long[starts.Count * T];
        for (int b = 0; b < starts.Count; b++)
        {
            if (starts[b] < 0 || starts[b] > _stream.Length - T)
                throw new ArgumentOutOfRangeException(nameof(starts), starts[b], $"A window start must be in 0..{_stream.Length - T}.");
            for (int t = 0; t < T; t++) ids[b * T + t] = _stream[starts[b] + t];
        }
        return ids;
    }

    /// <summary>A batch (B, T) for the windows at <paramref name="starts"/>: input ids, labels = the same ids (the LM head shifts).</summary>
    public ModelInput Batch(IReadOnlyList<int> starts, Device? device = null)
    {
        var ids = tensor(Window(starts), [starts.Count, SequenceLength], device: device);   // (B, T)
        return new ModelInput(ids, Labels: ids.clone());
    }

    /// <summary>An endless sequence of random batches from a generator seeded with <paramref name="seed"/>.</summary>
    public IEnumerable<ModelInput> RandomBatches(int batchSize, int seed, Device? device = null)
    {
        var rng = new Random(seed);
        while (true) yield return Batch(SampleStarts(rng, batchSize), device);
    }
}
