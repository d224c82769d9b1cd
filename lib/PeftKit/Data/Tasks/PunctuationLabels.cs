namespace PeftKit.Data.Tasks;

/// <summary>
/// T4, punctuation restoration: the labels come from the real text itself. Each whitespace-separated token of a
/// passage becomes a word (lower-cased, surrounding non-alphanumeric characters removed) labelled with the
/// punctuation that followed it in the original: 0 = none, 1 = comma (, ; :), 2 = period (. !), 3 = question (?).
/// Tokens with no letter or digit (e.g. a lone dash) are dropped. A model sees only the words and must put the
/// punctuation back.
/// </summary>
public static class PunctuationLabels
{
    /// <summary>Label names by id.</summary>
    public static IReadOnlyList<string> Names { get; } = ["O", "COMMA", "PERIOD", "QUESTION"];

    /// <summary>Derives (words, labels) from a passage of real text.</summary>
    public static TokenLabelExample FromText(string text, string id = "")
    {
        var words = new List<string>();
        var labels = new List<int>();
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int start = 0, end = token.Length;
            while (start < end && !char.IsLetterOrDigit(token[start])) start++;
            while (end > start && !char.IsLetterOrDigit(token[end - 1])) end--;
            if (start == end) continue;
            var trailing = token[end..];
            int label = trailing.Contains('?') ? 3
                : trailing.IndexOfAny(['.', '!']) >= 0 ? 2
                : trailing.IndexOfAny([',', ';', ':']) >= 0 ? 1
                : 0;
            words.Add(token[start..end].ToLowerInvariant());
            labels.Add(label);
        }
        return new TokenLabelExample(words, labels, id);
    }
}
