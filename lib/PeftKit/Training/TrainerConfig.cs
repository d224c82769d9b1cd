using TorchSharp.Modules;

namespace PeftKit.Training;

/// <summary>
/// Everything that shapes a training run. Each property checks its own value when set (also in <c>with</c>
/// expressions); rules that tie several properties together are checked by <see cref="Validate"/>, which
/// <see cref="Trainer{TBatch}"/> calls before it starts.
/// </summary>
public sealed record TrainerConfig
{
    /// <summary>Peak learning rate of AdamW, reached at the end of warmup. Must be positive.</summary>
    public double LearningRate { get; init => field = Positive(value); } = 1e-3;

    /// <summary>Decoupled (AdamW) weight decay applied to parameters that <see cref="NoDecay"/> does not exempt. ≥ 0.</summary>
    public double WeightDecay { get; init => field = NonNegative(value); } = 0.01;

    /// <summary>AdamW β₁, the decay rate of the running mean of gradients, in [0, 1).</summary>
    public double Beta1 { get; init => field = UnitInterval(value); } = 0.9;

    /// <summary>AdamW β₂, the decay rate of the running mean of squared gradients, in [0, 1).</summary>
    public double Beta2 { get; init => field = UnitInterval(value); } = 0.999;

    /// <summary>AdamW ε added to the denominator. Must be positive.</summary>
    public double Epsilon { get; init => field = Positive(value); } = 1e-8;

    /// <summary>Optimizer steps of linear warmup from 0 to <see cref="LearningRate"/>. ≥ 0.</summary>
    public int WarmupSteps { get; init => field = NonNegative(value); }

    /// <summary>Shape of the learning-rate decay after warmup.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Linear;

    /// <summary>The learning rate at the last step (the decay floor). ≥ 0 and ≤ <see cref="LearningRate"/>.</summary>
    public double MinLearningRate { get; init => field = NonNegative(value); }

    /// <summary>Stop after this many optimizer steps. At least one of this and <see cref="MaxEpochs"/> must be set.</summary>
    public int? MaxSteps { get; init => field = PositiveOrNull(value); }

    /// <summary>Stop after this many passes over the batch source. The run ends at whichever limit comes first.</summary>
    public int? MaxEpochs { get; init => field = PositiveOrNull(value); }

    /// <summary>Clip the global L2 norm of all trainable gradients to this value before each step; null turns clipping off.</summary>
    public double? MaxGradNorm { get; init => field = value is null ? null : Positive(value.Value); }

    /// <summary>Micro-batches whose gradients are summed (each loss divided by this count) into one optimizer step. ≥ 1.</summary>
    public int AccumulationSteps { get; init => field = Positive(value); } = 1;

    /// <summary>Run the evaluator every this many optimizer steps (and after the last step); null: only after the last step.</summary>
    public int? EvalEvery { get; init => field = PositiveOrNull(value); }

    /// <summary>Name of the evaluator metric that early stopping and best-checkpoint keeping watch.</summary>
    public string Metric { get; init => field = NotBlank(value); } = "loss";

    /// <summary>Whether a lower or a higher <see cref="Metric"/> is better.</summary>
    public MetricGoal Goal { get; init; } = MetricGoal.Minimize;

    /// <summary>Stop when <see cref="Metric"/> has not improved for this many evaluations in a row; null turns early stopping off.</summary>
    public int? EarlyStoppingPatience { get; init => field = PositiveOrNull(value); }

    /// <summary>An evaluation counts as an improvement only when it beats the best so far by more than this. ≥ 0.</summary>
    public double EarlyStoppingMinDelta { get; init => field = NonNegative(value); }

    /// <summary>Keep an in-memory copy of the trainable tensors at the best evaluation and copy it back when training ends.</summary>
    public bool KeepBestCheckpoint { get; init; }

    /// <summary>Seed given to torch's generators when training starts (dropout, anything the loss draws at random).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Report a progress line (and copy losses off the device, checking them for NaN/Inf) every this many steps. ≥ 1.</summary>
    public int LogEvery { get; init => field = Positive(value); } = 10;

    /// <summary>
    /// Decides which parameters get no weight decay, from the parameter's name and tensor. Null means the usual rule:
    /// every parameter with fewer than two dimensions (biases, LayerNorm weights and biases, scaling vectors).
    /// </summary>
    public Func<string, Parameter, bool>? NoDecay { get; init; }

    /// <summary>
    /// Gives some parameters their own peak learning rate, as a multiple of <see cref="LearningRate"/>, from the
    /// parameter's name (e.g. a freshly initialised task head that needs a faster rate than the method's tensors).
    /// The schedule (warmup, decay, floor) scales every rate alike. Null means 1 for every parameter; otherwise it is
    /// called once per trainable parameter and must return a finite number above 0.
    /// </summary>
    public Func<string, double>? LearningRateMultiplier { get; init; }

    /// <summary>The rule used when <see cref="NoDecay"/> is null: no decay for tensors with fewer than two dimensions.</summary>
    public static bool DefaultNoDecay(string name, Parameter parameter) => parameter.dim() < 2;

    /// <summary>Checks the rules that involve several properties; throws <see cref="ArgumentException"/> saying what to change.</summary>
    public TrainerConfig Validate()
    {
        if (MaxSteps is null && MaxEpochs is null)
            throw new ArgumentException("TrainerConfig needs MaxSteps or MaxEpochs (or both): set how long to train.");
        if (MinLearningRate > LearningRate)
            throw new ArgumentException(
                $"TrainerConfig.MinLearningRate ({MinLearningRate:G4}) is above LearningRate ({LearningRate:G4}); the floor must not exceed the peak.");
        if (MaxSteps is int max && WarmupSteps >= max && WarmupSteps > 0)
            throw new ArgumentException(
                $"TrainerConfig.WarmupSteps ({WarmupSteps}) must be below MaxSteps ({max}); otherwise the run never reaches the peak learning rate.");
        return this;
    }

    static double Positive(double v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        double.IsFinite(v) && v > 0 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be a finite number above 0.");

    static int Positive(int v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        v > 0 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be at least 1.");

    static int? PositiveOrNull(int? v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        v is null or > 0 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be at least 1, or null to turn it off.");

    static double NonNegative(double v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        double.IsFinite(v) && v >= 0 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be a finite number ≥ 0.");

    static int NonNegative(int v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        v >= 0 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be ≥ 0.");

    static double UnitInterval(double v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        v is >= 0 and < 1 ? v : throw new ArgumentOutOfRangeException(name, v, $"TrainerConfig.{name} must be in [0, 1), e.g. 0.9 or 0.999.");

    static string NotBlank(string v, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        !string.IsNullOrWhiteSpace(v) ? v : throw new ArgumentException($"TrainerConfig.{name} must name an evaluator metric, e.g. \"loss\" or \"accuracy\".", name);
}
