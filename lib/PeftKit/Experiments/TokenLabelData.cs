using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Setup;
using PeftKit.Text;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// A token labelling task (T4, punctuation restoration) tokenized for one base. Each word is encoded on its own, with
/// the space that precedes it in running text (" word"; the first word without), so its subword tokens are exactly
/// those of the sentence. A word's label sits at the first position that has read the whole word <b>and</b> the start of
/// the next one, since the punctuation after a word depends on what follows (a period before " we", a comma before
/// " and"):
/// <list type="bullet">
/// <item>on the <b>encoder</b>, which reads both directions, on the word's last subword token;</item>
/// <item>on the <b>decoder</b>, which reads only leftwards, on the <b>first token of the next word</b> — one token of
/// lookahead, as streaming punctuation models use — and, for the passage's last word, on the closing
/// &lt;|endoftext|&gt;, which says that nothing follows.</item>
/// </list>
/// Every other position (other subwords, [CLS], [SEP], padding) carries <see cref="IgnoreLabel"/>, which the loss skips.
/// Rows are <c>[CLS] words [SEP]</c> on the encoder and <c>words [next word's first token] &lt;|endoftext|&gt;</c> on the
/// decoder, cut after the last word that fits in <see cref="MaxLength"/> tokens (the words after it are not labelled,
/// and not scored).
/// </summary>
public sealed class TokenLabelData
{
    /// <summary>Label id the loss ignores (torch's default ignore_index).</summary>
    public const long IgnoreLabel = -100;

    readonly Dictionary<Split, Example[]> _splits;

    /// <summary>One passage: its row's token ids (specials included), the position that carries each kept word's label, the words' labels.</summary>
    sealed record Example(long[] Row, int[] LabelAt, int[] Labels);

    TokenLabelData(TaskName task, TinyBase @base, int maxLength, Dictionary<Split, Example[]> splits)
    {
        (Task, BaseName, Kind, MaxLength, _splits) = (task, @base.Name, @base.Config.Kind, maxLength, splits);
        LabelNames = KitData.LabelNames(task);
    }

    /// <summary>Loads and tokenizes a token labelling task for <paramref name="base"/>.</summary>
    /// <param name="task">T4 <see cref="TaskName.SotuPunctuation"/>.</param>
    /// <param name="base">The base whose tokenizer and layout (encoder/decoder) the rows are built for.</param>
    /// <param name="maxLength">Most tokens per row, specials included (at least 8, at most the model's positions).</param>
    /// <param name="maxTrain">Keep at most this many training passages (a deterministic subsample); null = all.</param>
    /// <param name="maxEval">Keep at most this many dev and this many test passages; null = all.</param>
    /// <param name="seed">Seed of the subsample.</param>
    /// <param name="dataRoot">The data folder; null = <see cref="DataRoot.Locate"/>.</param>
    public static TokenLabelData Create(TaskName task, TinyBase @base, int maxLength = 128, int? maxTrain = null, int? maxEval = null, int seed = 42, string? dataRoot = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        if (task != TaskName.SotuPunctuation)
            throw new ArgumentException($"{task} is not a token labelling task; TokenLabelData takes {TaskName.SotuPunctuation} (T4).", nameof(task));
        if (maxLength < 8 || maxLength > @base.Config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maxLength must be between 8 and the model's {@base.Config.MaxPositions} positions.");
        if (maxTrain is < 1) throw new ArgumentOutOfRangeException(nameof(maxTrain), maxTrain, "maxTrain must be at least 1, or null for every training passage.");
        if (maxEval is < 1) throw new ArgumentOutOfRangeException(nameof(maxEval), maxEval, "maxEval must be at least 1, or null for every dev/test passage.");
        var splits = new Dictionary<Split, Example[]>();
        foreach (var split in Enum.GetValues<Split>())
        {
            var rows = KitData.TokenLabels(task, split, dataRoot);
            var keep = ClassificationData.Subsample(rows.Count, split == Split.Train ? maxTrain : maxEval, seed + (int)split);
            splits[split] = [.. keep.Select(i => Encode(@base.Tokenizer, @base.Config.Kind, rows[i], maxLength)).Where(e => e.LabelAt.Length > 0)];
        }
        return new TokenLabelData(task, @base, maxLength, splits);
    }

    /// <summary>The row of one passage: whole words while they fit, each word's label where the class summary says.</summary>
    static Example Encode(CompactTokenizer tokenizer, ModelKind kind, TokenLabelExample example, int maxLength)
    {
        bool encoder = kind == ModelKind.Encoder;
        // Each word's tokens as in running text; a word without tokens has nothing to carry a label (cannot happen for T4's words).
        // Every word takes at least one token, so at most maxLength words fit, plus the decoder's lookahead word: encoding
        // stops there rather than running through the rest of a long passage.
        var words = example.Words
            .Select((word, w) => (Ids: tokenizer.Encode(w == 0 ? word : " " + word), Label: example.Labels[w]))
            .Where(x => x.Ids.Count > 0).Take(maxLength + 1).ToList();
        var row = new List<long>();
        if (encoder) row.Add(tokenizer.ClsId);
        int room = maxLength - 1;                                   // the closing [SEP] or <|endoftext|>
        var starts = new List<int>();                               // where each kept word's first token is
        var ends = new List<int>();                                 // where its last token is
        for (int w = 0; w < words.Count; w++)
        {
            int lookahead = !encoder && w + 1 < words.Count ? 1 : 0;  // the decoder also needs the next word's first token
            if (row.Count + words[w].Ids.Count + lookahead > room) break;
            starts.Add(row.Count);
            row.AddRange(words[w].Ids.Select(i => (long)i));
            ends.Add(row.Count - 1);
        }
        int kept = ends.Count;
        int[] labelAt;
        if (encoder) labelAt = [.. ends];
        else
        {
            // Word w's label on word w + 1's first token; after the last kept word comes that token (unlabelled itself),
            // or, at the passage's end, the <|endoftext|> that follows.
            labelAt = [.. Enumerable.Range(0, kept).Select(w => w + 1 < kept ? starts[w + 1] : row.Count)];
            if (kept > 0 && kept < words.Count) row.Add(words[kept].Ids[0]);
        }
        row.Add(encoder ? tokenizer.SepId : tokenizer.EndOfTextId);
        return new Example([.. row], labelAt, [.. words.Take(kept).Select(x => x.Label)]);
    }

    /// <summary>The task.</summary>
    public TaskName Task { get; }

    /// <summary>Label names by id (T4: O, COMMA, PERIOD, QUESTION).</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Name of the base the rows were tokenized for.</summary>
    public string BaseName { get; }

    /// <summary>Encoder or decoder row layout.</summary>
    public ModelKind Kind { get; }

    /// <summary>Most tokens per row, specials included.</summary>
    public int MaxLength { get; }

    /// <summary>Passages in a split.</summary>
    public int Count(Split split) => _splits[split].Length;

    /// <summary>Labelled words in a split (the words that fit in the rows).</summary>
    public int WordCount(Split split) => _splits[split].Sum(e => e.Labels.Length);

    /// <summary>The labels of a split's words, passage by passage in order: what <see cref="TokenLabelExperiment.Predict"/> lines up with.</summary>
    public IReadOnlyList<int> WordLabels(Split split) => [.. _splits[split].SelectMany(e => e.Labels)];

    /// <summary>Which passage each word of a split belongs to (0, 0, …, 1, …), for resampling passages rather than words.</summary>
    public IReadOnlyList<int> WordPassages(Split split) => [.. _splits[split].SelectMany((e, p) => e.Labels.Select(_ => p))];

    /// <summary>Share of a split's words with the most frequent training label (O, no punctuation): the score of a model that never punctuates.</summary>
    public double MajorityAccuracy(Split split)
    {
        var majority = _splits[Split.Train].SelectMany(e => e.Labels).GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var labels = WordLabels(split);
        return labels.Count == 0 ? 0 : labels.Count(l => l == majority) / (double)labels.Count;
    }

    /// <summary>The token ids of passage <paramref name="index"/> as the model sees them, and the position that carries each labelled word's label.</summary>
    public (IReadOnlyList<long> Row, IReadOnlyList<int> LabelAt) Row(Split split, int index) => (_splits[split][index].Row, _splits[split][index].LabelAt);

    /// <summary>Endless training batches: every epoch the training passages in a new order (seeded), token labels set.</summary>
    public IEnumerable<ModelInput> TrainBatches(int batchSize, int seed) => ExampleBatches.Endless(_splits[Split.Train], batchSize, seed, Batch);

    /// <summary>One pass over a split in order, token labels set; the last batch may be smaller.</summary>
    public IEnumerable<ModelInput> EvalBatches(Split split, int batchSize) => ExampleBatches.InOrder(_splits[split], batchSize, Batch);

    /// <summary>Right-padded ids (B, T), mask (B, T) and labels (B, T): each word's label at its position, <see cref="IgnoreLabel"/> elsewhere.</summary>
    static ModelInput Batch(Example[] examples)
    {
        int B = examples.Length, T = examples.Max(e => e.Row.Length);
        var ids = new long[B * T];                      // [PAD] = 0 fills the tail of short rows
        var mask = new long[B * T];
        var labels = Enumerable.Repeat(IgnoreLabel, B * T).ToArray();
        for (int b = 0; b < B; b++)
        {
            var e = examples[b];
            for (int t = 0; t < e.Row.Length; t++) { ids[b * T + t] = e.Row[t]; mask[b * T + t] = 1; }
            for (int w = 0; w < e.LabelAt.Length; w++) labels[b * T + e.LabelAt[w]] = e.Labels[w];
        }
        var device = KitTorch.Device;
        return new ModelInput(tensor(ids, [B, T], device: device), tensor(mask, [B, T], device: device), Labels: tensor(labels, [B, T], device: device));
    }
}
