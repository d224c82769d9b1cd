using System.Text.RegularExpressions;
using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Text;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// A conditional generation task (T3: email body → subject line) tokenized for a decoder. One example is
/// <c>source · "\nSubject:" · " " target · &lt;|endoftext|&gt;</c>: the source (whitespace collapsed) is cut to
/// <see cref="MaxSourceTokens"/>, the target to <see cref="MaxTargetTokens"/>. Training batches are right-padded and
/// carry labels only on the target tokens and the closing &lt;|endoftext|&gt; (-100 elsewhere), so the loss is the
/// next-token loss of the answer alone; prompt batches for generation are left-padded (what
/// <see cref="TextGeneration.Generate"/> expects).
/// </summary>
public sealed partial class GenerationData
{
    /// <summary>The text between the source and the target; the model learns to continue it with the subject.</summary>
    public const string Separator = "\nSubject:";

    /// <summary>Label id the loss ignores (torch's default ignore_index).</summary>
    public const long IgnoreLabel = -100;

    readonly Dictionary<Split, IReadOnlyList<GenerationExample>> _examples;
    readonly Dictionary<Split, Encoded[]> _encoded;
    readonly int[] _separator;

    /// <summary>One example as token ids: the prompt (truncated source + separator) and the answer (target + end of text).</summary>
    readonly record struct Encoded(int[] Prompt, int SourceLength, int[] Answer);

    GenerationData(TaskName task, CompactTokenizer tokenizer, int maxSourceTokens, int maxTargetTokens,
        Dictionary<Split, IReadOnlyList<GenerationExample>> examples)
    {
        Task = task;
        Tokenizer = tokenizer;
        MaxSourceTokens = maxSourceTokens;
        MaxTargetTokens = maxTargetTokens;
        _examples = examples;
        _separator = [.. tokenizer.Encode(Separator)];
        _encoded = examples.ToDictionary(kv => kv.Key, kv => kv.Value.Select(Encode).ToArray());
    }

    Encoded Encode(GenerationExample e)
    {
        int[] source = [.. Tokenizer.Encode(Clean(e.Source)).Take(MaxSourceTokens)];
        return new Encoded([.. source, .. _separator], source.Length,
            [.. Tokenizer.Encode(" " + Clean(e.Target)).Take(MaxTargetTokens), Tokenizer.EndOfTextId]);
    }

    /// <summary>
    /// Loads <paramref name="task"/>'s splits and tokenizes them with <paramref name="tokenizer"/> (the base model's).
    /// <paramref name="maxTrain"/> / <paramref name="maxEval"/> keep a deterministic random subset (seeded by
    /// <paramref name="seed"/>) of the training split / of dev and test, in file order.
    /// </summary>
    /// <param name="task">A generation task (<see cref="TaskName.EmailSubject"/>).</param>
    /// <param name="tokenizer">The base model's tokenizer.</param>
    /// <param name="maxPositions">The model's position limit: prompt + answer must fit in it.</param>
    /// <param name="maxSourceTokens">Source tokens kept (the start of the body).</param>
    /// <param name="maxTargetTokens">Target tokens kept before the end-of-text token.</param>
    /// <param name="maxTrain">Training examples kept; null = all.</param>
    /// <param name="maxEval">Dev and test examples kept (each); null = all.</param>
    /// <param name="seed">Seed of the subsets.</param>
    /// <param name="dataRoot">The data folder; null = located by walking up from the working directory.</param>
    /// <param name="maxPerSubject">
    /// Examples kept per distinct target (per thread: every reply in a thread shares its subject), the first in file
    /// order, before the subsets are drawn; null = all. With 1, a model cannot score by memorising the subjects of
    /// long threads (T3's training split repeats one subject 52 times) and each test subject counts once.
    /// </param>
    public static GenerationData Create(TaskName task, CompactTokenizer tokenizer, int maxPositions, int maxSourceTokens = 96,
        int maxTargetTokens = 24, int? maxTrain = null, int? maxEval = null, int seed = 42, string? dataRoot = null,
        int? maxPerSubject = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (maxSourceTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxSourceTokens), maxSourceTokens, "maxSourceTokens must be at least 1 (typical: 64 to 128).");
        if (maxTargetTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxTargetTokens), maxTargetTokens, "maxTargetTokens must be at least 1 (typical: 16 to 32).");
        int separator = tokenizer.Encode(Separator).Count;
        if (maxSourceTokens + separator + maxTargetTokens + 1 > maxPositions)
            throw new ArgumentException(
                $"maxSourceTokens ({maxSourceTokens}) + separator ({separator}) + maxTargetTokens ({maxTargetTokens}) + end of text exceeds the model's {maxPositions} positions; shorten the source or the target.");
        if (maxTrain is < 1) throw new ArgumentOutOfRangeException(nameof(maxTrain), maxTrain, "maxTrain must be at least 1, or null for the whole split.");
        if (maxEval is < 1) throw new ArgumentOutOfRangeException(nameof(maxEval), maxEval, "maxEval must be at least 1, or null for whole splits.");
        if (maxPerSubject is < 1) throw new ArgumentOutOfRangeException(nameof(maxPerSubject), maxPerSubject, "maxPerSubject must be at least 1 (1 = one email per thread), or null for every email.");
        IReadOnlyList<GenerationExample> Load(Split split) => PerSubject(KitData.Generation(task, split, dataRoot), maxPerSubject);
        var examples = new Dictionary<Split, IReadOnlyList<GenerationExample>>
        {
            [Split.Train] = Subset(Load(Split.Train), maxTrain, seed),
            [Split.Dev] = Subset(Load(Split.Dev), maxEval, seed + 1),
            [Split.Test] = Subset(Load(Split.Test), maxEval, seed + 2),
        };
        return new GenerationData(task, tokenizer, maxSourceTokens, maxTargetTokens, examples);
    }

    /// <summary>
    /// <see cref="Create(TaskName, CompactTokenizer, int, int, int, int?, int?, int, string?, int?)"/> with a tiny decoder base's
    /// tokenizer and position limit (e.g. <c>TinyBase.Load("tiny-gpt")</c>).
    /// </summary>
    public static GenerationData Create(TaskName task, TinyBase @base, int maxSourceTokens = 96, int maxTargetTokens = 24,
        int? maxTrain = null, int? maxEval = null, int seed = 42, string? dataRoot = null, int? maxPerSubject = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        if (@base.Config.Kind != ModelKind.Decoder)
            throw new ArgumentException($"Generation needs a decoder base; '{@base.Name}' is an {@base.Config.Kind}. Use tiny-gpt.", nameof(@base));
        return Create(task, @base.Tokenizer, @base.Config.MaxPositions, maxSourceTokens, maxTargetTokens, maxTrain, maxEval, seed, dataRoot, maxPerSubject);
    }

    /// <summary>The task.</summary>
    public TaskName Task { get; }

    /// <summary>The tokenizer the ids come from (and that decodes generations).</summary>
    public CompactTokenizer Tokenizer { get; }

    /// <summary>Source tokens kept per example.</summary>
    public int MaxSourceTokens { get; }

    /// <summary>Target tokens kept per example (before end of text).</summary>
    public int MaxTargetTokens { get; }

    /// <summary>Training examples.</summary>
    public int TrainCount => _examples[Split.Train].Count;

    /// <summary>Dev examples.</summary>
    public int DevCount => _examples[Split.Dev].Count;

    /// <summary>Test examples.</summary>
    public int TestCount => _examples[Split.Test].Count;

    /// <summary>The (subset of the) examples of <paramref name="split"/>, in the order batches use.</summary>
    public IReadOnlyList<GenerationExample> Examples(Split split) => _examples[split];

    /// <summary>The source text example <paramref name="index"/> of <paramref name="split"/> gives the model (truncated, whitespace collapsed), decoded from its ids.</summary>
    public string SourceText(Split split, int index) => Tokenizer.Decode(_encoded[split][index].Prompt[.._encoded[split][index].SourceLength]);

    /// <summary>
    /// The reference subject of example <paramref name="index"/> as written (whitespace collapsed), what generations
    /// are scored against (with a byte-level vocabulary every word can be generated; with a kept-ids one, words that
    /// train as [UNK] can only count as misses).
    /// </summary>
    public string ReferenceText(Split split, int index) => Clean(_examples[split][index].Target);

    /// <summary>Labelled target tokens (answer tokens including end of text) in <paramref name="split"/>.</summary>
    public long TargetTokens(Split split) => _encoded[split].Sum(e => (long)e.Answer.Length);

    /// <summary>
    /// Endless training batches: the split reshuffled every epoch by a generator seeded with <paramref name="seed"/>,
    /// right-padded, labels on the answer tokens only.
    /// </summary>
    public IEnumerable<ModelInput> TrainBatches(int batchSize, int seed)
    {
        CheckBatchSize(batchSize);
        var rng = new Random(seed);
        var order = Enumerable.Range(0, TrainCount).ToArray();
        while (true)
        {
            rng.Shuffle(order);
            for (int i = 0; i + batchSize <= order.Length || (i == 0 && order.Length < batchSize); i += batchSize)
                yield return TeacherForced(order.Skip(i).Take(batchSize).Select(j => _encoded[Split.Train][j]).ToArray());
        }
    }

    /// <summary>One pass over <paramref name="split"/> in order, teacher-forced like <see cref="TrainBatches"/> (for the dev/test loss).</summary>
    public IEnumerable<ModelInput> EvalBatches(Split split, int batchSize)
    {
        CheckBatchSize(batchSize);
        var items = _encoded[split];
        for (int i = 0; i < items.Length; i += batchSize)
            yield return TeacherForced(items[i..Math.Min(items.Length, i + batchSize)]);
    }

    /// <summary>
    /// One pass over <paramref name="split"/> (the first <paramref name="max"/> examples when given) as left-padded
    /// prompts: (B, T) ids and mask, and the index of each row's example in <see cref="Examples"/>.
    /// </summary>
    public IEnumerable<(ModelInput Prompt, int[] Indices)> PromptBatches(Split split, int batchSize, int? max = null)
    {
        CheckBatchSize(batchSize);
        int n = Math.Min(_encoded[split].Length, max ?? int.MaxValue);
        for (int i = 0; i < n; i += batchSize)
        {
            var idx = Enumerable.Range(i, Math.Min(batchSize, n - i)).ToArray();
            var prompts = idx.Select(j => _encoded[split][j].Prompt).ToArray();
            int T = prompts.Max(p => p.Length);
            var ids = new long[idx.Length * T];
            var mask = new long[idx.Length * T];
            for (int b = 0; b < prompts.Length; b++)
            {
                int pad = T - prompts[b].Length;                       // left padding: real tokens end at T − 1
                for (int t = 0; t < prompts[b].Length; t++)
                {
                    ids[b * T + pad + t] = prompts[b][t];
                    mask[b * T + pad + t] = 1;
                }
                for (int t = 0; t < pad; t++) ids[b * T + t] = Tokenizer.PadId;
            }
            yield return (new ModelInput(tensor(ids, [idx.Length, T], device: KitDevice()), tensor(mask, [idx.Length, T], device: KitDevice())), idx);
        }
    }

    /// <summary>(B, T) ids, mask and labels for teacher forcing; rows right-padded to the longest.</summary>
    ModelInput TeacherForced(IReadOnlyList<Encoded> rows)
    {
        int T = rows.Max(r => r.Prompt.Length + r.Answer.Length);
        var ids = new long[rows.Count * T];
        var mask = new long[rows.Count * T];
        var labels = new long[rows.Count * T];
        Array.Fill(labels, IgnoreLabel);
        for (int b = 0; b < rows.Count; b++)
        {
            var (prompt, _, answer) = rows[b];
            for (int t = 0; t < prompt.Length; t++) { ids[b * T + t] = prompt[t]; mask[b * T + t] = 1; }
            for (int t = 0; t < answer.Length; t++)
            {
                int at = b * T + prompt.Length + t;
                ids[at] = answer[t];
                mask[at] = 1;
                labels[at] = answer[t];   // the LM head shifts: the logits at position at − 1 predict this token
            }
            for (int t = prompt.Length + answer.Length; t < T; t++) ids[b * T + t] = Tokenizer.PadId;
        }
        var device = KitDevice();
        return new ModelInput(tensor(ids, [rows.Count, T], device: device), tensor(mask, [rows.Count, T], device: device),
            Labels: tensor(labels, [rows.Count, T], device: device));
    }

    static Device KitDevice() => Setup.KitTorch.Device;

    static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
    }

    /// <summary>Whitespace runs (newlines included) become one space; ends trimmed.</summary>
    static string Clean(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>At most <paramref name="max"/> examples per cleaned target, the first ones in file order.</summary>
    static IReadOnlyList<GenerationExample> PerSubject(IReadOnlyList<GenerationExample> all, int? max)
    {
        if (max is not int m) return all;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);   // cleaned subject → emails met so far
        var kept = new List<GenerationExample>();
        foreach (var e in all)
        {
            var key = Clean(e.Target);
            seen[key] = seen.GetValueOrDefault(key) + 1;
            if (seen[key] <= m) kept.Add(e);
        }
        return kept;
    }

    static IReadOnlyList<GenerationExample> Subset(IReadOnlyList<GenerationExample> all, int? max, int seed)
    {
        if (max is not int m || m >= all.Count) return all;
        var idx = Enumerable.Range(0, all.Count).ToArray();
        new Random(seed).Shuffle(idx);
        return [.. idx.Take(m).Order().Select(i => all[i])];
    }
}
