namespace PeftKit.Text;

/// <summary>
/// Byte-pair encoding (Sennrich et al. 2016; byte-level as in GPT-2): starting from bytes, repeatedly merge the most
/// frequent adjacent pair of symbols within words, each merge a new symbol. Written here because
/// Microsoft.ML.Tokenizers 2.0.1 applies BPE vocabularies but has no trainer.
/// </summary>
internal static class BytePairTrainer
{
    /// <summary>
    /// Learns up to <paramref name="mergeCount"/> merges from <paramref name="words"/> (bytes and how often the word
    /// occurs). Byte b is symbol <paramref name="firstByteId"/> + b; merge k makes symbol <paramref name="firstByteId"/>
    /// + 256 + k. The most frequent pair wins, ties go to the smaller (left, right) pair so the result is deterministic;
    /// training stops early when no pair occurs twice.
    /// </summary>
    public static List<(int Left, int Right)> Train(IReadOnlyList<(byte[] Bytes, long Count)> words, int mergeCount, int firstByteId)
    {
        var symbols = words.Select(w => w.Bytes.Select(b => firstByteId + b).ToList()).ToArray();
        var pairCounts = new Dictionary<long, long>();
        var wordsWith = new Dictionary<long, HashSet<int>>();   // pair -> words that contain (or once contained) it
        void Count(int word, long sign)
        {
            var s = symbols[word];
            for (int i = 0; i + 1 < s.Count; i++)
            {
                long key = Key(s[i], s[i + 1]);
                long n = pairCounts.GetValueOrDefault(key) + sign * words[word].Count;
                if (n == 0) pairCounts.Remove(key); else pairCounts[key] = n;
                if (sign > 0) (wordsWith.TryGetValue(key, out var set) ? set : wordsWith[key] = []).Add(word);
            }
        }
        for (int w = 0; w < symbols.Length; w++) Count(w, +1);

        var merges = new List<(int, int)>(mergeCount);
        for (int m = 0; m < mergeCount; m++)
        {
            long best = -1, bestCount = 1;
            foreach (var (key, n) in pairCounts)
                if (n > bestCount || (n == bestCount && best >= 0 && key < best)) (best, bestCount) = (key, n);
            if (best < 0) break;                                   // no pair occurs twice
            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF), merged = firstByteId + 256 + m;
            merges.Add((left, right));
            foreach (int w in wordsWith[best])
            {
                Count(w, -1);
                symbols[w] = Merge(symbols[w], left, right, merged);
                Count(w, +1);
            }
            wordsWith.Remove(best);
        }
        return merges;
    }

    /// <summary>Replaces every (left, right) in <paramref name="symbols"/>, left to right, by <paramref name="merged"/>.</summary>
    public static List<int> Merge(List<int> symbols, int left, int right, int merged)
    {
        var result = new List<int>(symbols.Count);
        for (int i = 0; i < symbols.Count; i++)
        {
            if (i + 1 < symbols.Count && symbols[i] == left && symbols[i + 1] == right) { result.Add(merged); i++; }
            else result.Add(symbols[i]);
        }
        return result;
    }

    /// <summary>One 64-bit key per ordered pair of symbols.</summary>
    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
