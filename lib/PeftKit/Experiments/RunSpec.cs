using PeftKit.Methods;
using PeftKit.Methods.Lora;
using PeftKit.Methods.PTuning;
using PeftKit.Quantization;
using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>
/// One training run of <see cref="Experiment.Run(TinyBase, ClassificationData, RunSpec, IProgress{PeftKit.Training.TrainingEvent}?)"/>:
/// a method and the budget it trains with. Every value is checked when it is set.
/// </summary>
public sealed record RunSpec
{
    /// <summary>Shown in tables and legends, e.g. "LoRA r=8".</summary>
    public required string Label { get; init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("RunSpec.Label must be a non-empty name for tables and legends.", nameof(Label)) : value; }

    /// <summary>The PEFT method (or baseline) and its settings.</summary>
    public required PeftConfig Method { get; init => field = value ?? throw new ArgumentNullException(nameof(Method), "RunSpec.Method needs a PeftConfig, e.g. new LoraConfig(...) or new LinearProbe()."); }

    /// <summary>Optimizer steps. ≥ 1.</summary>
    public int Steps { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "RunSpec.Steps must be at least 1."); } = 300;

    /// <summary>Examples per step. ≥ 1.</summary>
    public int BatchSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "RunSpec.BatchSize must be at least 1."); } = 16;

    /// <summary>Peak AdamW learning rate (after warmup; then linear decay to 0). &gt; 0.</summary>
    public double LearningRate { get; init => field = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "RunSpec.LearningRate must be a finite number above 0, e.g. 1e-3."); } = 1e-3;

    /// <summary>
    /// Peak learning rate of the task head (<c>score</c>/<c>classifier</c>) when it should differ from
    /// <see cref="LearningRate"/>; null = the same rate. The head starts from random weights, so a method whose own
    /// tensors want a small rate (prefix, LoRA, full fine-tuning) can leave it under-trained; the linear probe's rate is
    /// the natural choice. Same schedule as every other parameter. Not used by P-Tuning v1, which has no head.
    /// </summary>
    public double? HeadLearningRate { get; init => field = value is null || (double.IsFinite(value.Value) && value > 0) ? value : throw new ArgumentOutOfRangeException(nameof(HeadLearningRate), value, "RunSpec.HeadLearningRate must be a finite number above 0 (e.g. 1e-2), or null for LearningRate."); }

    /// <summary>Steps of linear warmup. ≥ 0 and below <see cref="Steps"/> (checked when the run starts).</summary>
    public int WarmupSteps { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), value, "RunSpec.WarmupSteps must be ≥ 0."); } = 30;

    /// <summary>Dev accuracy is measured every this many steps (and after the last); the best dev checkpoint is kept. ≥ 1.</summary>
    public int EvalEvery { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EvalEvery), value, "RunSpec.EvalEvery must be at least 1."); } = 100;

    /// <summary>Seeds the head init, the method's init, the batch order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Examples per evaluation batch (no gradients, so larger than training batches). ≥ 1.</summary>
    public int EvalBatchSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EvalBatchSize), value, "RunSpec.EvalBatchSize must be at least 1."); } = 64;

    /// <summary>AdamW weight decay on tensors with two or more dimensions. ≥ 0.</summary>
    public double WeightDecay { get; init => field = double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WeightDecay), value, "RunSpec.WeightDecay must be ≥ 0."); } = 0.01;

    /// <summary>P-Tuning v1 only: the label word of each class read at [MASK]; null = <see cref="ClassificationData.DefaultVerbalizer()"/>.</summary>
    public Verbalizer? Verbalizer { get; init; }

    /// <summary>
    /// Stores the base's block matrices quantised (<see cref="BaseQuantizer"/>) before the method is applied: LoRA on an
    /// int8 or NF4 base, QLoRA's recipe. Null (the default) keeps the base in float32. LoRA only: the other methods train
    /// or rescale the layers that quantisation replaces, or were not studied on quantised bases.
    /// </summary>
    public QuantizationKind? QuantizeBase { get; init; }

    /// <summary>Checks the rules that tie fields together; <see cref="Experiment"/> calls it before a run.</summary>
    public RunSpec Validate()
    {
        if (WarmupSteps >= Steps && WarmupSteps > 0)
            throw new ArgumentException($"RunSpec '{Label}': WarmupSteps ({WarmupSteps}) must be below Steps ({Steps}); shorten the warmup.");
        if (Verbalizer is not null && !MethodCatalog.Of(Method).ReadsLabelWords)
            throw new ArgumentException($"RunSpec '{Label}': a Verbalizer is only used by P-Tuning v1 (PTuningConfig); {Method.PeftType} classifies with its head. Remove the Verbalizer.");
        if (HeadLearningRate is not null && MethodCatalog.Of(Method).ReadsLabelWords)
            throw new ArgumentException($"RunSpec '{Label}': P-Tuning v1 reads label words through a verbalizer and has no task head, so HeadLearningRate does nothing. Remove it.");
        if (QuantizeBase is { } kind && Method is not LoraConfig)
            throw new ArgumentException($"RunSpec '{Label}': QuantizeBase ({kind}) is for LoRA on a quantised base (QLoRA); {Method.PeftType} would train or rescale the layers quantisation replaces. Use a LoraConfig or remove QuantizeBase.");
        return this;
    }

    /// <summary>
    /// The trainer's settings for this spec: AdamW with warmup and linear decay, clipping at 1.0, <paramref name="metric"/>
    /// on dev every <see cref="EvalEvery"/> steps (higher is better) with the best checkpoint kept, and the task head at
    /// <see cref="HeadLearningRate"/> when set.
    /// </summary>
    internal TrainerConfig TrainerConfig(string metric) => new()
    {
        LearningRate = LearningRate,
        WarmupSteps = WarmupSteps,
        WeightDecay = WeightDecay,
        MaxSteps = Steps,
        MaxGradNorm = 1.0,
        EvalEvery = EvalEvery,
        Metric = metric,
        Goal = MetricGoal.Maximize,
        KeepBestCheckpoint = true,
        Seed = Seed,
        LogEvery = Math.Min(10, EvalEvery),
        LearningRateMultiplier = HeadLearningRate is double head
            ? name => PeftModel.IsHeadParameter(name) ? head / LearningRate : 1
            : null,
    };
}
