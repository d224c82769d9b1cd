using PeftKit.Data;
using PeftKit.Methods.PTuning;
using PeftKit.Models;
using PeftKit.Setup;
using PeftKit.Text;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// A classification task (T1 spam, T2 party) tokenized for one base: <c>[CLS] text [SEP]</c> for the encoder (the
/// classifier reads [CLS]), <c>text &lt;|endoftext|&gt;</c> for the decoder (the score head reads the last real token).
/// Text is truncated so a row has at most <see cref="MaxLength"/> tokens; batches are right-padded with [PAD] to their
/// longest row and carry an attention mask. P-Tuning v1 rows are built from the same token ids through its template
/// (<see cref="TrainBatches(int, int, PTuningTemplate)"/>).
/// </summary>
public sealed class ClassificationData
{
    readonly Dictionary<Split, Example[]> _splits;
    readonly CompactTokenizer _tokenizer;

    /// <summary>One example: its text's token ids (whole, untruncated by the template) and label.</summary>
    sealed record Example(int[] TextIds, int Label);

    ClassificationData(TaskName task, TinyBase @base, int maxLength, Dictionary<Split, Example[]> splits)
    {
        Task = task;
        BaseName = @base.Name;
        Kind = @base.Config.Kind;
        _tokenizer = @base.Tokenizer;
        MaxLength = maxLength;
        _splits = splits;
        LabelNames = KitData.LabelNames(task);
    }

    /// <summary>Loads and tokenizes a task for <paramref name="base"/>.</summary>
    /// <param name="task">T1 <see cref="TaskName.SpamHam"/> or T2 <see cref="TaskName.SotuParty"/>.</param>
    /// <param name="base">The base whose tokenizer and architecture (encoder/decoder) the rows are built for.</param>
    /// <param name="maxLength">Most tokens per row, specials included (at least 8, at most the model's positions).</param>
    /// <param name="maxTrain">Keep at most this many training examples (a deterministic subsample); null = all.</param>
    /// <param name="maxEval">Keep at most this many dev and this many test examples; null = all.</param>
    /// <param name="seed">Seed of the subsample.</param>
    /// <param name="dataRoot">The data folder; null = <see cref="DataRoot.Locate"/>.</param>
    public static ClassificationData Create(TaskName task, TinyBase @base, int maxLength = 128,
        int? maxTrain = null, int? maxEval = null, int seed = 42, string? dataRoot = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        if (task is not (TaskName.SpamHam or TaskName.SotuParty))
            throw new ArgumentException($"{task} is not a sequence classification task; ClassificationData takes {TaskName.SpamHam} (T1) or {TaskName.SotuParty} (T2).", nameof(task));
        if (maxLength < 8 || maxLength > @base.Config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maxLength must be between 8 and the model's {@base.Config.MaxPositions} positions.");
        if (maxTrain is < 1) throw new ArgumentOutOfRangeException(nameof(maxTrain), maxTrain, "maxTrain must be at least 1, or null for every training example.");
        if (maxEval is < 1) throw new ArgumentOutOfRangeException(nameof(maxEval), maxEval, "maxEval must be at least 1, or null for every dev/test example.");
        var splits = new Dictionary<Split, Example[]>();
        foreach (var split in Enum.GetValues<Split>())
        {
            var rows = KitData.Classification(task, split, dataRoot);
            var keep = Subsample(rows.Count, split == Split.Train ? maxTrain : maxEval, seed + (int)split);
            splits[split] = keep.Select(i => new Example(Encode(@base.Tokenizer, rows[i].Text, maxLength), rows[i].Label)).ToArray();
        }
        return new ClassificationData(task, @base, maxLength, splits);
    }

    /// <summary>The first <paramref name="limit"/> token ids of <paramref name="text"/> (the whole text is encoded, so the cut is exact).</summary>
    static int[] Encode(CompactTokenizer tokenizer, string text, int limit)
    {
        var ids = tokenizer.Encode(text);
        return ids.Count > limit ? [.. ids.Take(limit)] : [.. ids];
    }

    /// <summary>Indices 0..count-1, or a seeded random subset of <paramref name="max"/> of them in their original order.</summary>
    internal static int[] Subsample(int count, int? max, int seed)
    {
        if (max is not int m || m >= count) return [.. Enumerable.Range(0, count)];
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(m).Order()];
    }

    /// <summary>The task.</summary>
    public TaskName Task { get; }

    /// <summary>Class names by label id.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Name of the base the rows were tokenized for.</summary>
    public string BaseName { get; }

    /// <summary>Encoder or decoder row layout.</summary>
    public ModelKind Kind { get; }

    /// <summary>Most tokens per row, specials included.</summary>
    public int MaxLength { get; }

    /// <summary>Training examples.</summary>
    public int TrainCount => _splits[Split.Train].Length;

    /// <summary>Dev examples.</summary>
    public int DevCount => _splits[Split.Dev].Length;

    /// <summary>Test examples.</summary>
    public int TestCount => _splits[Split.Test].Length;

    /// <summary>Examples of a split.</summary>
    public int Count(Split split) => _splits[split].Length;

    /// <summary>Labels of a split, in order.</summary>
    public IReadOnlyList<int> Labels(Split split) => [.. _splits[split].Select(e => e.Label)];

    /// <summary>The token ids of example <paramref name="index"/> of <paramref name="split"/> as the model sees them (specials included).</summary>
    public IReadOnlyList<long> Row(Split split, int index) => BuildRow(_splits[split][index].TextIds);

    /// <summary>Endless training batches: every epoch the training set in a new order (seeded), labels set.</summary>
    public IEnumerable<ModelInput> TrainBatches(int batchSize, int seed) => Endless(batchSize, seed, BuildRow);

    /// <summary>One pass over a split in order, labels set; the last batch may be smaller.</summary>
    public IEnumerable<ModelInput> EvalBatches(Split split, int batchSize) => InOrder(split, batchSize, BuildRow);

    /// <summary>Endless P-Tuning v1 batches, labels (B) set: <c>[CLS] template(text) [SEP]</c> on an encoder; on a decoder the
    /// template without its final [MASK] (the label word is the next token).</summary>
    public IEnumerable<ModelInput> TrainBatches(int batchSize, int seed, PTuningTemplate template) => Endless(batchSize, seed, PTuningRow(template));

    /// <summary>One pass of P-Tuning v1 rows over a split in order.</summary>
    public IEnumerable<ModelInput> EvalBatches(Split split, int batchSize, PTuningTemplate template) => InOrder(split, batchSize, PTuningRow(template));

    /// <summary>Accuracy of always predicting the most frequent training label on <paramref name="split"/> (the chance baseline).</summary>
    public double MajorityAccuracy(Split split)
    {
        var majority = _splits[Split.Train].GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var rows = _splits[split];
        return rows.Length == 0 ? 0 : rows.Count(e => e.Label == majority) / (double)rows.Length;
    }

    /// <summary>
    /// P-Tuning v1's default label words: each class name as one token (" spam", " Republican", …) when the base's
    /// vocabulary has it, else for two classes the first pair of <see cref="FallbackWords"/> it has. Throws when none works;
    /// then pass a <see cref="Verbalizer"/> in <see cref="RunSpec.Verbalizer"/>.
    /// </summary>
    public Verbalizer DefaultVerbalizer() => DefaultVerbalizer(_tokenizer, Task, LabelNames);

    internal static Verbalizer DefaultVerbalizer(CompactTokenizer tokenizer, TaskName task, IReadOnlyList<string> labelNames)
    {
        long? Single(string word)
        {
            var ids = tokenizer.Encode(word);
            return ids.Count == 1 && ids[0] >= CompactTokenizer.Specials.Count ? ids[0] : null;
        }
        long? Word(string name) => Single(" " + name) ?? Single(" " + name.ToLowerInvariant()) ?? Single(name) ?? Single(name.ToLowerInvariant());
        var words = labelNames.Select(Word).ToArray();
        if (words.All(w => w is not null) && words.Distinct().Count() == words.Length) return new Verbalizer([.. words.Select(w => w!.Value)]);
        if (labelNames.Count == 2)
            foreach (var (negative, positive) in FallbackWords)
                if (Single(negative) is long n && Single(positive) is long p) return new Verbalizer([n, p]);
        throw new InvalidOperationException(
            $"The base's vocabulary has no single-token label word for every class of {task} ({string.Join(", ", labelNames)}) and none of the pairs {string.Join(", ", FallbackWords.Select(w => $"'{w.Item1}'/'{w.Item2}'"))}. " +
            "Pass RunSpec.Verbalizer = new Verbalizer([...]) with one token id per class.");
    }

    /// <summary>Two-class label words tried in order when the class names are not single tokens: (class 0, class 1), read as "is it the second class?".</summary>
    public static IReadOnlyList<(string, string)> FallbackWords { get; } = [(" no", " yes"), (" false", " true"), (" good", " bad"), (" No", " Yes")];

    /// <summary>The label words of <paramref name="verbalizer"/> as text, in class order (for tables).</summary>
    public IReadOnlyList<string> LabelWords(Verbalizer verbalizer) => [.. verbalizer.LabelTokenIds.Select(id => _tokenizer.TokenOf((int)id))];

    long[] BuildRow(int[] text)
    {
        if (Kind == ModelKind.Encoder)
        {
            int n = Math.Min(text.Length, MaxLength - 2);
            var row = new long[n + 2];
            row[0] = _tokenizer.ClsId;
            for (int i = 0; i < n; i++) row[i + 1] = text[i];
            row[^1] = _tokenizer.SepId;
            return row;
        }
        else
        {
            int n = Math.Min(text.Length, MaxLength - 1);
            var row = new long[n + 1];
            for (int i = 0; i < n; i++) row[i] = text[i];
            row[^1] = _tokenizer.EndOfTextId;
            return row;
        }
    }

    Func<int[], long[]> PTuningRow(PTuningTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Parts.Count(p => p.IsMask) != 1)
            throw new ArgumentException("A P-Tuning v1 classification template needs exactly one TemplatePart.Mask, where the verbalizer reads the label word.", nameof(template));
        if (template.Parts.Count(p => p.InputSlot >= 0) != 1 || template.Parts.Any(p => p.InputSlot > 0))
            throw new ArgumentException("A P-Tuning v1 classification template needs exactly one TemplatePart.Input(0) for the text.", nameof(template));
        bool decoder = Kind == ModelKind.Decoder;
        if (decoder && !template.Parts[^1].IsMask)
            throw new ArgumentException("On a decoder the label word is the token that follows the row, so TemplatePart.Mask must be the template's last part (e.g. [P] text [P] [MASK]).", nameof(template));
        // Encoder: [CLS] template [SEP]. Decoder: the template without its final [MASK] — the LM head at the row's last
        // token predicts the next token, the label word (a cloze whose blank ends the template, as in the paper's GPT runs).
        int fixedLength = template.Parts.Sum(p => p.Virtual + (p.Anchor?.Count ?? 0) + (p.IsMask ? 1 : 0)) + (decoder ? -1 : 2);
        if (fixedLength >= MaxLength)
            throw new ArgumentException($"The template takes {fixedLength} of the {MaxLength} tokens per row, leaving no room for text; use fewer virtual tokens or a larger maxLength.", nameof(template));
        return text =>
        {
            // Ids that mean something to the template (pseudo token, [MASK]) cannot appear in the text: [UNK] instead.
            var kept = text.Take(MaxLength - fixedLength)
                .Select(id => id == template.PseudoTokenId || id == template.MaskTokenId ? (long)_tokenizer.UnknownId : id).ToArray();
            var filled = template.Fill(kept);
            if (decoder) return filled[..^1];
            var row = new long[filled.Length + 2];
            row[0] = _tokenizer.ClsId;
            filled.CopyTo(row, 1);
            row[^1] = _tokenizer.SepId;
            return row;
        };
    }

    IEnumerable<ModelInput> Endless(int batchSize, int seed, Func<int[], long[]> build) =>
        ExampleBatches.Endless(_splits[Split.Train], batchSize, seed, examples => Batch(examples, build));

    IEnumerable<ModelInput> InOrder(Split split, int batchSize, Func<int[], long[]> build) =>
        ExampleBatches.InOrder(_splits[split], batchSize, examples => Batch(examples, build));

    ModelInput Batch(IEnumerable<Example> examples, Func<int[], long[]> build)
    {
        var list = examples.ToArray();
        var built = list.Select(e => build(e.TextIds)).ToArray();
        int B = built.Length, T = built.Max(r => r.Length);
        var ids = new long[B * T];                      // [PAD] = 0 fills the tail of short rows
        var mask = new long[B * T];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < built[b].Length; t++)
            {
                ids[b * T + t] = built[b][t];
                mask[b * T + t] = 1;
            }
        var device = KitTorch.Device;
        return new ModelInput(
            tensor(ids, [B, T], device: device),                                      // (B, T)
            tensor(mask, [B, T], device: device),                                     // (B, T) 1 = real
            Labels: tensor(list.Select(e => (long)e.Label).ToArray(), [B], device: device));   // (B)
    }
}
