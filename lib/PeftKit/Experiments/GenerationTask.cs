using PeftKit.Data;
using PeftKit.Models;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// Generation in <see cref="ExperimentLoop"/>: next-token loss on the answer tokens of a decoder with its LM head (the
/// prompt is context); the dev metric is that loss on the dev split.
/// </summary>
internal sealed class GenerationTask(TransformerModel model, GenerationData data, GenerationSpec spec) : IExperimentTask
{
    public PeftModel Adapt()
    {
        manual_seed(spec.Seed);   // the method's initialisation (prefix embedding, MLP, LoRA A, …)
        try { return Peft.Apply(model, spec.Method); }
        catch { model.Dispose(); throw; }
    }

    public IEnumerable<ModelInput> TrainBatches() => data.TrainBatches(spec.BatchSize, spec.Seed);

    public Tensor Loss(PeftModel peft, ModelInput batch) => peft.forward(batch).Loss!;

    public double DevMetric(PeftModel peft) => GenerationExperiment.Loss(peft.Base, data, Split.Dev);

    public Func<ModelInput, long>? CountTokens => batch => batch.AttentionMask!.sum().item<long>();
}
