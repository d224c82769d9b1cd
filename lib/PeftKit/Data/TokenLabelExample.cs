namespace PeftKit.Data;

/// <summary>A token labelling example: one label per word.</summary>
public sealed record TokenLabelExample
{
    /// <summary>Creates an example; <paramref name="words"/> and <paramref name="labels"/> must have equal lengths.</summary>
    public TokenLabelExample(IReadOnlyList<string> words, IReadOnlyList<int> labels, string id = "")
    {
        if (words.Count != labels.Count)
            throw new ArgumentException($"Token labelling example '{id}': {words.Count} words but {labels.Count} labels; they must match one to one.", nameof(labels));
        Words = words;
        Labels = labels;
        Id = id;
    }

    /// <summary>The words (lower-cased, punctuation removed for T4).</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>One label id per word (see <see cref="KitData.LabelNames"/>).</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Stable example id.</summary>
    public string Id { get; }
}
