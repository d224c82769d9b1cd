using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>
/// What every run measured, whatever its task: size, cost and training history. A task's result adds its scores
/// (<see cref="RunResult"/>: accuracy; <see cref="GenerationResult"/>: loss, token F1, samples). Scores are of the best
/// dev checkpoint, which the run restores.
/// </summary>
public abstract record ExperimentResult
{
    /// <summary>The spec's label.</summary>
    public required string Label { get; init; }

    /// <summary>The method's short name in <see cref="Methods.MethodCatalog"/> ("lora", "prefix", …).</summary>
    public required string Method { get; init; }

    /// <summary>The run's seed (data order, the method's initialisation, dropout).</summary>
    public required int Seed { get; init; }

    /// <summary>Parameters the optimizer trained (the PeftModel report's trainable count, reparameterisation networks included).</summary>
    public required long TrainableParameters { get; init; }

    /// <summary>All parameters of the model during training (base + adapter + head).</summary>
    public required long TotalParameters { get; init; }

    /// <summary>Values in the saved adapter file (a reparameterisation network is dropped on save; the head is kept where it trains).</summary>
    public required long SavedParameters { get; init; }

    /// <summary>Bytes SaveAdapter writes (adapter_config.json and adapter_model.safetensors).</summary>
    public required long AdapterBytes { get; init; }

    /// <summary>Step of the best dev checkpoint.</summary>
    public required int BestStep { get; init; }

    /// <summary>Median wall time of a training step (forward, backward, clip, AdamW) in ms; steps right after an evaluation are left out.</summary>
    public required double StepMsMedian { get; init; }

    /// <summary>Wall time of the whole run (model load, training, evaluations), seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Peak resident memory of the process during the run (the kernel's high-water mark, reset when the run started), bytes; 0 where unknown.</summary>
    public required long PeakResidentBytes { get; init; }

    /// <summary>Peak resident memory above what the process held when the run started: model, optimizer state, activations; bytes.</summary>
    public required long PeakIncreaseBytes { get; init; }

    /// <summary>The trainer's history: loss per step, the dev metric per evaluation.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Trainable share of all parameters, in percent.</summary>
    public double TrainablePercent => TotalParameters == 0 ? 0 : 100.0 * TrainableParameters / TotalParameters;
}
