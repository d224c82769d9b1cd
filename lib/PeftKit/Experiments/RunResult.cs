using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>What one <see cref="RunSpec"/> measured. Accuracies are of the best dev checkpoint, which the run restores.</summary>
public sealed record RunResult
{
    /// <summary>The spec's label.</summary>
    public required string Label { get; init; }

    /// <summary>The method's short name: full, linear-probe, bitfit, ia3, adapter, prefix, prompt, ptuning-v1, ptuning-v2, lora.</summary>
    public required string Method { get; init; }

    /// <summary>The base the run fine-tuned ("tiny-gpt", "tiny-bert").</summary>
    public required string BaseName { get; init; }

    /// <summary>The spec that produced this result.</summary>
    public required RunSpec Spec { get; init; }

    /// <summary>Parameters the optimizer trained (the PeftModel report's trainable count, reparameterisation networks included).</summary>
    public required long TrainableParameters { get; init; }

    /// <summary>All parameters of the model during training (base + adapter + head).</summary>
    public required long TotalParameters { get; init; }

    /// <summary>Size in bytes of the saved adapter (adapter_config.json + adapter_model.safetensors).</summary>
    public required long AdapterBytes { get; init; }

    /// <summary>Dev accuracy of the best dev checkpoint.</summary>
    public required double DevAccuracy { get; init; }

    /// <summary>Test accuracy of the best dev checkpoint.</summary>
    public required double TestAccuracy { get; init; }

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

    /// <summary>The trainer's history: loss per step, dev accuracy per evaluation.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Trainable share of all parameters, in percent.</summary>
    public double TrainablePercent => TotalParameters == 0 ? 0 : 100.0 * TrainableParameters / TotalParameters;
}
