using System.Text.Json;
using System.Text.Json.Serialization;
using PeftKit.Measurement;

namespace PeftKit.Training;

/// <summary>
/// What a training run did, step by step: the input of the plot helpers and of model cards. Serialisable to JSON
/// (<see cref="ToJson"/> / <see cref="FromJson"/>).
/// </summary>
public sealed class TrainingHistory
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a diverged loss is NaN
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every optimizer step, in order.</summary>
    public List<TrainStepRecord> Steps { get; init; } = [];

    /// <summary>Every evaluator call, in order.</summary>
    public List<EvalRecord> Evals { get; init; } = [];

    /// <summary>Seed the run used.</summary>
    public int Seed { get; set; }

    /// <summary>Device of the trainable parameters, e.g. "cpu".</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Elements in the trainable (optimised) parameters.</summary>
    public long TrainableParameters { get; set; }

    /// <summary>Elements in the frozen parameters the trainer was given (requires_grad = false).</summary>
    public long FrozenParameters { get; set; }

    /// <summary>Why the run ended; null while it runs or when it diverged.</summary>
    public StopReason? StopReason { get; set; }

    /// <summary>Step of the best evaluation on <see cref="TrainerConfig.Metric"/>; null without evaluations.</summary>
    public int? BestStep { get; set; }

    /// <summary>Value of the watched metric at <see cref="BestStep"/>.</summary>
    public double? BestMetric { get; set; }

    /// <summary>True when the best checkpoint was copied back into the parameters at the end.</summary>
    public bool RestoredBest { get; set; }

    /// <summary>Wall time of the whole run in seconds, evaluations included.</summary>
    public double TotalSeconds { get; set; }

    /// <summary>Tokens processed in training steps over training wall time; null without a token counter.</summary>
    public double? TokensPerSecond { get; set; }

    /// <summary>
    /// Peak resident memory of the process in bytes when the run ended (see <see cref="ProcessMemory"/>). CUDA
    /// allocated memory is not reported: TorchSharp 0.107 exposes no torch.cuda.memory_allocated.
    /// </summary>
    public long PeakResidentBytes { get; set; }

    /// <summary>Training loss per step, in step order (for plots).</summary>
    [JsonIgnore] public double[] TrainLoss => Steps.Select(s => s.Loss).ToArray();

    /// <summary>Learning rate per step, in step order (for plots).</summary>
    [JsonIgnore] public double[] LearningRates => Steps.Select(s => s.LearningRate).ToArray();

    /// <summary>The steps and values of one evaluator metric, skipping evaluations that did not report it.</summary>
    public (int[] Steps, double[] Values) Metric(string name)
    {
        var hits = Evals.Where(e => e.Metrics.ContainsKey(name)).ToArray();
        if (hits.Length == 0 && Evals.Count > 0)
            throw new KeyNotFoundException(
                $"No evaluation reported metric '{name}'. Reported: {string.Join(", ", Evals.SelectMany(e => e.Metrics.Keys).Distinct())}.");
        return (hits.Select(e => e.Step).ToArray(), hits.Select(e => e.Metrics[name]).ToArray());
    }

    /// <summary>The history as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a history written by <see cref="ToJson"/>.</summary>
    public static TrainingHistory FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingHistory>(json, Json)
        ?? throw new FormatException("The JSON text holds null, not a training history.");

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    public static TrainingHistory Load(string path) => FromJson(File.ReadAllText(path));
}
