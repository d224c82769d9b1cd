namespace PeftKit.Pretraining;

/// <summary>
/// BERT's masked-LM corruption (Devlin et al. 2019, §3.1): each eligible position is selected with probability
/// <see cref="SelectProbability"/> (15%); a selected token becomes [MASK] with probability 80%, a uniformly random
/// ordinary token with 10%, and stays unchanged with 10%. Only selected positions get a label (the original token);
/// every other label is −100 (ignored by the loss). Special tokens (ids below <see cref="FirstOrdinaryId"/>) are never
/// selected. Host-side and driven by <see cref="Random"/>, so a seed fixes the masks exactly.
/// </summary>
public sealed class MlmMasking
{
    /// <summary>Label of a position that does not count in the loss.</summary>
    public const long IgnoreLabel = -100;

    /// <summary>Creates the masking rule.</summary>
    /// <param name="maskId">Id of [MASK].</param>
    /// <param name="firstOrdinaryId">Ids below this are special: never selected, never used as a random replacement.</param>
    /// <param name="vocabSize">Number of ids; random replacements are drawn from firstOrdinaryId..vocabSize − 1.</param>
    /// <param name="selectProbability">Share of eligible positions selected (0.15 in BERT).</param>
    public MlmMasking(int maskId, int firstOrdinaryId, int vocabSize, double selectProbability = 0.15)
    {
        if (firstOrdinaryId < 0 || firstOrdinaryId >= vocabSize)
            throw new ArgumentOutOfRangeException(nameof(firstOrdinaryId), firstOrdinaryId, $"firstOrdinaryId must be in 0..vocabSize − 1 ({vocabSize - 1}).");
        if (maskId < 0 || maskId >= firstOrdinaryId)
            throw new ArgumentOutOfRangeException(nameof(maskId), maskId, "The [MASK] id must be a special id (below firstOrdinaryId).");
        if (selectProbability is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(selectProbability), selectProbability, "selectProbability must be in (0, 1), e.g. 0.15.");
        MaskId = maskId;
        FirstOrdinaryId = firstOrdinaryId;
        VocabSize = vocabSize;
        SelectProbability = selectProbability;
    }

    /// <summary>Id of [MASK].</summary>
    public int MaskId { get; }

    /// <summary>First id that is an ordinary (non-special) token.</summary>
    public int FirstOrdinaryId { get; }

    /// <summary>Number of ids.</summary>
    public int VocabSize { get; }

    /// <summary>Probability that an eligible position is selected.</summary>
    public double SelectProbability { get; }

    /// <summary>Share of selected positions replaced by [MASK].</summary>
    public const double MaskShare = 0.8;

    /// <summary>Share of selected positions replaced by a random ordinary token (the rest, 10%, stay unchanged).</summary>
    public const double RandomShare = 0.1;

    /// <summary>
    /// Corrupts <paramref name="ids"/> in place and returns the labels (original id at selected positions, −100 elsewhere).
    /// </summary>
    public long[] Apply(long[] ids, Random rng)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(rng);
        var labels = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            labels[i] = IgnoreLabel;
            if (ids[i] < FirstOrdinaryId || rng.NextDouble() >= SelectProbability) continue;
            labels[i] = ids[i];
            var u = rng.NextDouble();
            if (u < MaskShare) ids[i] = MaskId;
            else if (u < MaskShare + RandomShare) ids[i] = rng.Next(FirstOrdinaryId, VocabSize);
            // else: unchanged
        }
        return labels;
    }
}
