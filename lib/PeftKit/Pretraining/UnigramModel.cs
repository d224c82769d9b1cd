namespace PeftKit.Pretraining;

/// <summary>
/// The baseline a language model must beat: token frequencies of the training stream with add-one (Laplace)
/// smoothing over the vocabulary, p(w) = (count(w) + 1) / (N + V), ignoring context.
/// </summary>
public sealed class UnigramModel
{
    readonly long[] _counts;
    readonly long _total;

    /// <summary>Counts the tokens of <paramref name="trainTokens"/> over ids 0..<paramref name="vocabSize"/> − 1.</summary>
    public UnigramModel(IEnumerable<int> trainTokens, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(trainTokens);
        if (vocabSize < 1) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "vocabSize must be positive.");
        _counts = new long[vocabSize];
        foreach (var id in trainTokens)
        {
            if ((uint)id >= (uint)vocabSize) throw new ArgumentOutOfRangeException(nameof(trainTokens), id, $"Token id {id} is outside 0..{vocabSize - 1}.");
            _counts[id]++;
            _total++;
        }
    }

    /// <summary>Smoothed probability of <paramref name="id"/>.</summary>
    public double Probability(int id) => (_counts[id] + 1.0) / (_total + _counts.Length);

    /// <summary>exp of the mean negative log-probability of <paramref name="tokens"/>.</summary>
    public double Perplexity(IEnumerable<int> tokens)
    {
        double nll = 0;
        long n = 0;
        foreach (var id in tokens) { nll -= Math.Log(Probability(id)); n++; }
        if (n == 0) throw new ArgumentException("No tokens to score.", nameof(tokens));
        return Math.Exp(nll / n);
    }

    /// <summary>The most frequent id among ids ≥ <paramref name="firstId"/> (ties: smaller id), the majority baseline's prediction.</summary>
    public int MostFrequent(int firstId = 0)
    {
        int best = firstId;
        for (int id = firstId; id < _counts.Length; id++) if (_counts[id] > _counts[best]) best = id;
        return best;
    }
}
