namespace PeftKit.Data.Dedup;

/// <summary>
/// The set of normalised word n-grams of a corpus (default 13 words, the contamination test GPT-3's authors used),
/// to ask whether a text shares any n-gram with it.
/// </summary>
public sealed class NGramIndex
{
    readonly HashSet<ulong> _grams = new();

    /// <summary>Indexes every n-gram of every text.</summary>
    public NGramIndex(IEnumerable<string> texts, int n = 13)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n-gram length must be at least 1.");
        N = n;
        foreach (var text in texts)
            foreach (var g in Grams(text)) _grams.Add(g);
    }

    /// <summary>Words per n-gram.</summary>
    public int N { get; }

    /// <summary>Number of distinct n-grams indexed.</summary>
    public int Count => _grams.Count;

    /// <summary>True when <paramref name="text"/> has an n-gram that occurs in the indexed corpus.</summary>
    public bool SharesAnyWith(string text) => Grams(text).Any(_grams.Contains);

    IEnumerable<ulong> Grams(string text)
    {
        var words = TextKey.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i + N <= words.Length; i++)
            yield return TextKey.Hash64(string.Join(' ', words, i, N));
    }
}
