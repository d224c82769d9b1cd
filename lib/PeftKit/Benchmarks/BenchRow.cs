namespace PeftKit.Benchmarks;

/// <summary>One measured method on one model. Null means "not applicable" (e.g. merged inference for a method that cannot merge).</summary>
/// <param name="Method">Lower-case method name, or <c>lora-raw</c> for the plain-TorchSharp LoRA reference.</param>
/// <param name="Model">Model shape name.</param>
/// <param name="StepMsMedian">Median train-step wall time (forward, backward, AdamW step, zero-grad) over all measured steps of all repeats.</param>
/// <param name="StepMsMin">Fastest measured train step (less noise-sensitive on a shared machine).</param>
/// <param name="TokensPerS">Real (non-virtual) tokens per second at the median step time: B·T / step.</param>
/// <param name="PeakMemBytes">Process RSS high-water mark while the method trains, minus RSS before its model was built
/// (after freeing the previous method's memory back to the OS); includes the model as held, activations, gradients and optimizer
/// state, not the transient of building it; median over repeats.</param>
/// <param name="TrainableParams">Parameters with requires_grad, counted from the tensors.</param>
/// <param name="GradientBytes">Bytes of the gradient tensors of the trainable parameters (exact: Σ numel · element size).</param>
/// <param name="OptimizerStateBytes">AdamW state (exp_avg + exp_avg_sq): 2 · element size · trainable, exact.</param>
/// <param name="AdapterBytes">Bytes of SaveAdapter's directory (config JSON + safetensors); null for the raw reference.</param>
/// <param name="InferMsUnmerged">Median eval-mode forward latency with the method as trained (no labels, no_grad).</param>
/// <param name="InferMsMerged">Median forward latency after Merge(); null where the method cannot merge.</param>
/// <param name="StepMsNondeterministic">Median train step of the same run with libtorch's deterministic algorithms off, measured
/// beside it (<c>kit bench --deterministic-cost</c>); null when not measured.</param>
/// <param name="WeightsBytes">Bytes of the weights the model holds while training: every parameter (adapter included) plus
/// the codes and scales of quantised layers, exact; null for the raw reference.</param>
/// <param name="QuantizedBytes">Codes and scales of the quantised matrices (<c>lora-int8</c>, <c>lora-nf4</c>); null otherwise.</param>
/// <param name="QuantizedFloat32Bytes">What those matrices take in float32 (4 bytes a weight); null otherwise.</param>
public sealed record BenchRow(string Method, string Model, double StepMsMedian, double StepMsMin, double TokensPerS, long PeakMemBytes,
    long TrainableParams, long GradientBytes, long OptimizerStateBytes, long? AdapterBytes, double? InferMsUnmerged, double? InferMsMerged,
    double? StepMsNondeterministic = null, long? WeightsBytes = null, long? QuantizedBytes = null, long? QuantizedFloat32Bytes = null)
{
    /// <summary>Step time with deterministic algorithms ÷ without, measured side by side; null when not measured.</summary>
    public double? DeterministicCost => StepMsNondeterministic is { } off ? StepMsMedian / off : null;
}
