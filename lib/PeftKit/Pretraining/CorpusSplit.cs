using PeftKit.Data;

namespace PeftKit.Pretraining;

/// <summary>
/// Pretraining documents split by whole document into train and validation (no document contributes to both).
/// The documents are shuffled with a seeded generator; validation takes documents from the front of that order until
/// it holds the requested share of characters, training takes the rest.
/// </summary>
/// <param name="Train">Training documents.</param>
/// <param name="Validation">Held-out documents.</param>
public sealed record CorpusSplit(IReadOnlyList<PretrainingDocument> Train, IReadOnlyList<PretrainingDocument> Validation)
{
    /// <summary>Splits <paramref name="documents"/>.</summary>
    /// <param name="documents">The corpus.</param>
    /// <param name="validationShare">Share of characters to hold out, in (0, 0.5].</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="maxCharacters">Use only a slice of about this many characters (whole documents in shuffled order, at least one each side); null = all.</param>
    public static CorpusSplit ByDocument(IReadOnlyList<PretrainingDocument> documents, double validationShare, int seed, long? maxCharacters = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (validationShare is <= 0 or > 0.5)
            throw new ArgumentOutOfRangeException(nameof(validationShare), validationShare, "validationShare must be in (0, 0.5], e.g. 0.05.");
        if (documents.Count < 2)
            throw new ArgumentException($"Splitting by document needs at least 2 documents; got {documents.Count}. Run `kit data` to rebuild the corpus.", nameof(documents));
        var order = documents.ToArray();
        new Random(seed).Shuffle(order);
        // Validation: documents from the front of the shuffled order until they hold the share of the characters
        // used (the whole corpus, or the slice); training: the following documents (up to the slice's budget).
        long total = order.Sum(d => (long)d.Text.Length);
        long used = Math.Min(total, maxCharacters ?? total), held = 0;
        int v = 0;
        while (v < order.Length - 1 && (v == 0 || held < validationShare * used)) held += order[v++].Text.Length;
        int n = v;
        long trained = 0;
        while (n < order.Length && (n == v || trained < used - held)) trained += order[n++].Text.Length;
        return new CorpusSplit(order[v..n], order[..v]);
    }
}
