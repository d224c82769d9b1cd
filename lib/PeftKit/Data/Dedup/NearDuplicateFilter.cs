namespace PeftKit.Data.Dedup;

/// <summary>
/// Keeps the first of each group of exact or near duplicates, in the order texts are offered.
/// Exact: equal <see cref="TextKey.Normalize"/> strings. Near: Jaccard similarity of word 5-shingle sets ≥
/// <see cref="Threshold"/>, found with MinHash (128 hashes, LSH in 32 bands of 4 rows) and then confirmed by the
/// exact Jaccard of the two shingle sets, so MinHash only proposes candidates and never decides.
/// Hand-written: no MinHash package is held here.
/// </summary>
public sealed class NearDuplicateFilter
{
    const int ShingleWords = 5, Hashes = 128, Bands = 32, Rows = Hashes / Bands;

    readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    readonly Dictionary<(int Band, ulong Key), List<int>> _buckets = new();
    readonly List<HashSet<ulong>> _kept = new();
    static readonly ulong[] Seeds = Enumerable.Range(0, Hashes).Select(i => SplitMix((ulong)i * 0x9E3779B97F4A7C15UL + 12345)).ToArray();

    /// <summary>Creates a filter with the given near-duplicate Jaccard threshold (default 0.9).</summary>
    public NearDuplicateFilter(double threshold = 0.9)
    {
        if (threshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "Jaccard threshold must be in (0, 1].");
        Threshold = threshold;
    }

    /// <summary>Jaccard similarity at or above which two texts count as near duplicates.</summary>
    public double Threshold { get; }

    /// <summary>Number of texts rejected as exact duplicates so far.</summary>
    public int ExactDuplicates { get; private set; }

    /// <summary>Number of texts rejected as near duplicates so far.</summary>
    public int NearDuplicates { get; private set; }

    /// <summary>Offers a text: returns true (and remembers it) when it duplicates nothing kept before.</summary>
    public bool TryAdd(string text)
    {
        var normalized = TextKey.Normalize(text);
        if (!_exact.Add(normalized))
        {
            ExactDuplicates++;
            return false;
        }
        var shingles = Shingles(normalized);
        var signature = Signature(shingles);
        var candidates = new HashSet<int>();
        for (int b = 0; b < Bands; b++)
            if (_buckets.TryGetValue((b, BandKey(signature, b)), out var list))
                candidates.UnionWith(list);
        foreach (var c in candidates.Order())
            if (Jaccard(shingles, _kept[c]) >= Threshold)
            {
                NearDuplicates++;
                return false;
            }
        int id = _kept.Count;
        _kept.Add(shingles);
        for (int b = 0; b < Bands; b++)
        {
            var key = (b, BandKey(signature, b));
            if (!_buckets.TryGetValue(key, out var list)) _buckets[key] = list = new List<int>();
            list.Add(id);
        }
        return true;
    }

    /// <summary>The set of hashed word 5-shingles of a normalised text (the whole text when it has fewer words).</summary>
    public static HashSet<ulong> Shingles(string normalized)
    {
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var set = new HashSet<ulong>();
        if (words.Length < ShingleWords)
        {
            set.Add(TextKey.Hash64(normalized));
            return set;
        }
        for (int i = 0; i + ShingleWords <= words.Length; i++)
            set.Add(TextKey.Hash64(string.Join(' ', words, i, ShingleWords)));
        return set;
    }

    /// <summary>|A ∩ B| / |A ∪ B|.</summary>
    public static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        int inter = small.Count(large.Contains);
        return (double)inter / (a.Count + b.Count - inter);
    }

    static ulong[] Signature(HashSet<ulong> shingles)
    {
        var sig = new ulong[Hashes];
        Array.Fill(sig, ulong.MaxValue);
        foreach (var s in shingles)
            for (int i = 0; i < Hashes; i++)
            {
                var h = SplitMix(s ^ Seeds[i]);
                if (h < sig[i]) sig[i] = h;
            }
        return sig;
    }

    static ulong BandKey(ulong[] sig, int band)
    {
        ulong key = 14695981039346656037UL;
        for (int r = 0; r < Rows; r++) key = SplitMix(key ^ sig[band * Rows + r]);
        return key;
    }

    // SplitMix64 finaliser: a fixed, well-mixing 64-bit permutation (the same on every run and platform).
    static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
