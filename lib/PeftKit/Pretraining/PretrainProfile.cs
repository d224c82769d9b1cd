using PeftKit.Models;

namespace PeftKit.Pretraining;

/// <summary>
/// How long and on how much text a pretraining run goes. <see cref="Quick"/> is for tests (seconds, a small slice,
/// a temp folder); <see cref="Full"/> trains the committed tiny bases.
/// </summary>
public sealed record PretrainProfile
{
    /// <summary>Name written to the model card ("quick", "full").</summary>
    public required string Name { get; init; }

    /// <summary>Optimizer steps.</summary>
    public required int Steps { get; init => field = Positive(value, nameof(Steps)); }

    /// <summary>Sequences per step.</summary>
    public required int BatchSize { get; init => field = Positive(value, nameof(BatchSize)); }

    /// <summary>Tokens per sequence (≤ the model's MaxPositions).</summary>
    public required int SequenceLength { get; init => field = value >= 4 ? value : throw new ArgumentOutOfRangeException(nameof(SequenceLength), value, "SequenceLength must be at least 4."); }

    /// <summary>Peak AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warmup steps (then cosine decay to a tenth of the peak).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Share of positions the masked-LM objective selects during training (encoder only; BERT: 0.15).</summary>
    public double MaskRate { get; init => field = value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaskRate), value, "MaskRate must be in (0, 1)."); } = 0.15;

    /// <summary>Dropout during pretraining; null = the model configuration's.</summary>
    public float? Dropout { get; init; }

    /// <summary>Evaluate every this many steps (and at the end).</summary>
    public int EvalEvery { get; init => field = Positive(value, nameof(EvalEvery)); } = 100;

    /// <summary>Largest number of validation sequences scored per evaluation.</summary>
    public int MaxEvalSequences { get; init => field = Positive(value, nameof(MaxEvalSequences)); } = 64;

    /// <summary>Share of characters held out (whole documents).</summary>
    public double ValidationShare { get; init; } = 0.05;

    /// <summary>Use only a slice of about this many characters of the corpus; null = all of it.</summary>
    public long? MaxCharacters { get; init; }

    /// <summary>Progress line every this many steps.</summary>
    public int LogEvery { get; init => field = Positive(value, nameof(LogEvery)); } = 10;

    /// <summary>Maps the named base configuration to the one trained (null = unchanged).</summary>
    public Func<TransformerConfig, TransformerConfig>? Shape { get; init; }

    /// <summary>Seconds-long runs on a ~100k-character slice for tests: 8 steps of 4×32 tokens.</summary>
    public static PretrainProfile Quick { get; } = new()
    {
        Name = "quick", Steps = 8, BatchSize = 4, SequenceLength = 32, WarmupSteps = 2, EvalEvery = 4,
        MaxEvalSequences = 8, ValidationShare = 0.2, MaxCharacters = 100_000, LogEvery = 4,
    };

    /// <summary>The committed tiny bases: the whole corpus, sized for ≤ 30 minutes per model on 2 CPU cores (tiny-bert
    /// with a <c>--steps</c> override; see its model card).</summary>
    public static PretrainProfile Full { get; } = new()
    {
        Name = "full", Steps = 2000, BatchSize = 16, SequenceLength = 128, LearningRate = 1e-3, WarmupSteps = 100,
        EvalEvery = 250, MaxEvalSequences = 128, ValidationShare = 0.05, LogEvery = 10,
        // 40% rather than BERT's 15%: 2.7× more predicted positions per step for a run that is starved of them
        // (Wettig et al. 2023 find 40% as good or better). Two 1,000-step runs of tiny-bert, scored on the same 15%
        // validation masks: 40% → loss 5.569, accuracy 15.3%; 15% → 5.726, 14.6% — a loss 15% reached only after
        // ~3,000 steps of a longer run (5.563 at step 3,000). Dropout 0 instead of 0.1 changed nothing (5.573, 15.7%).
        MaskRate = 0.4,
    };

    /// <summary>The pretraining sizes of a kit <see cref="Setup.Profile"/>.</summary>
    public static PretrainProfile For(Setup.Profile profile) => profile.IsQuick ? Quick : Full;

    /// <summary>The profile named <paramref name="name"/> (<see cref="Setup.Profile.Parse"/>: quick or full).</summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the allowed ones.</exception>
    public static PretrainProfile Named(string name) => For(Setup.Profile.Parse(name));

    static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
}
