using System.Globalization;
using System.Text;

namespace PeftKit.Experiments;

/// <summary>
/// Scores a generated text against a reference as the SQuAD evaluation script does: both are normalised (lower case,
/// punctuation removed, whitespace collapsed; articles are kept, subjects are short), then compared as a bag of words.
/// Written by hand: no text-metrics package is available here.
/// </summary>
public static class GenerationMetrics
{
    /// <summary>Lower case, every non letter/digit character becomes a space, words split on whitespace.</summary>
    public static string[] Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = new StringBuilder(text.Length);
        foreach (var c in text.ToLower(CultureInfo.InvariantCulture)) s.Append(char.IsLetterOrDigit(c) ? c : ' ');
        return s.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Token F1: precision = common / |prediction words|, recall = common / |reference words|, F1 their harmonic mean,
    /// where common counts each word at most as often as it occurs in both (a multiset intersection).
    /// Both empty: 1; exactly one empty: 0.
    /// </summary>
    public static double TokenF1(string prediction, string reference)
    {
        var p = Words(prediction);
        var r = Words(reference);
        if (p.Length == 0 || r.Length == 0) return p.Length == r.Length ? 1 : 0;
        var counts = r.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        int common = 0;
        foreach (var w in p)
            if (counts.TryGetValue(w, out var n) && n > 0) { common++; counts[w] = n - 1; }
        if (common == 0) return 0;
        double precision = (double)common / p.Length, recall = (double)common / r.Length;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>1 when the normalised word sequences are equal, else 0.</summary>
    public static double ExactMatch(string prediction, string reference) =>
        Words(prediction).SequenceEqual(Words(reference)) ? 1 : 0;
}
