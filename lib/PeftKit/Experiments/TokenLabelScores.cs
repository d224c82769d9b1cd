namespace PeftKit.Experiments;

/// <summary>
/// Word-level scores of a token labeller: accuracy over every word, and precision, recall and F1 of each label. The
/// headline is <see cref="MacroF1"/>, the mean F1 of the labels other than label 0 (T4: comma, period, question mark).
/// On T4 about four words in five carry no punctuation, so accuracy rewards a model that never punctuates; the macro F1
/// of that model is 0, as in punctuation-restoration and NER evaluations, which score the labels that mark something.
/// </summary>
public sealed record TokenLabelScores
{
    /// <summary>Scores <paramref name="predicted"/> against <paramref name="gold"/>, word by word, for labels 0 … <paramref name="labelCount"/> − 1.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or hold a label outside 0 … labelCount − 1.</exception>
    public static TokenLabelScores Of(IReadOnlyList<int> predicted, IReadOnlyList<int> gold, int labelCount)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(gold);
        if (labelCount < 2) throw new ArgumentOutOfRangeException(nameof(labelCount), labelCount, "A token labelling task has at least two labels.");
        if (predicted.Count != gold.Count)
            throw new ArgumentException($"{predicted.Count} predicted labels for {gold.Count} words; score the same words in the same order.");
        if (predicted.Concat(gold).FirstOrDefault(l => l < 0 || l >= labelCount, -1) is var bad && bad >= 0)
            throw new ArgumentException($"Label {bad} is outside 0 … {labelCount - 1}.");
        var tp = new int[labelCount];
        var predictedCount = new int[labelCount];
        var goldCount = new int[labelCount];
        for (int i = 0; i < gold.Count; i++)
        {
            predictedCount[predicted[i]]++;
            goldCount[gold[i]]++;
            if (predicted[i] == gold[i]) tp[predicted[i]]++;
        }
        // A label never predicted has precision 0 (and never present, recall 0): the convention that keeps a silent model at F1 0.
        double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;
        var precision = Enumerable.Range(0, labelCount).Select(k => Ratio(tp[k], predictedCount[k])).ToArray();
        var recall = Enumerable.Range(0, labelCount).Select(k => Ratio(tp[k], goldCount[k])).ToArray();
        var f1 = Enumerable.Range(0, labelCount).Select(k => precision[k] + recall[k] == 0 ? 0 : 2 * precision[k] * recall[k] / (precision[k] + recall[k])).ToArray();
        return new TokenLabelScores
        {
            Words = gold.Count,
            Accuracy = Ratio(tp.Sum(), gold.Count),
            Precision = precision,
            Recall = recall,
            F1 = f1,
            MacroF1 = f1.Skip(1).Average(),
        };
    }

    /// <summary>Words scored.</summary>
    public required int Words { get; init; }

    /// <summary>Share of words labelled correctly.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Per label: of the words predicted with it, the share that carry it.</summary>
    public required IReadOnlyList<double> Precision { get; init; }

    /// <summary>Per label: of the words that carry it, the share predicted with it.</summary>
    public required IReadOnlyList<double> Recall { get; init; }

    /// <summary>Per label: the harmonic mean of precision and recall.</summary>
    public required IReadOnlyList<double> F1 { get; init; }

    /// <summary>Mean F1 of labels 1 … k − 1 (every label but "none").</summary>
    public required double MacroF1 { get; init; }
}
