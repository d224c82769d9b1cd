using PeftKit.Data;
using PeftKit.Methods.PTuning;
using PeftKit.Models;
using PeftKit.Quantization;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// Classification in <see cref="ExperimentLoop"/>: through a new sequence-classification head, or — for a method that
/// reads label words (P-Tuning v1) — through the language-model head and a <see cref="Verbalizer"/>. The dev metric is accuracy.
/// </summary>
internal sealed class ClassificationTask(TinyBase @base, ClassificationData data, RunSpec spec, PTuningConfig? ptuning, Verbalizer? verbalizer) : IExperimentTask
{
    public PeftModel Adapt()
    {
        manual_seed(spec.Seed);   // the head's and the method's initialisation
        var inner = ptuning is null
            ? @base.CreateModel(HeadKind.SequenceClassification, data.LabelNames.Count)
            : @base.CreateModel(@base.Config.Kind == ModelKind.Decoder ? HeadKind.LanguageModel : HeadKind.MaskedLanguageModel);
        try
        {
            if (spec.QuantizeBase is { } kind) BaseQuantizer.Quantize(inner, kind);   // QLoRA: the frozen base stored quantised
            return Peft.Apply(inner, spec.Method);
        }
        catch { inner.Dispose(); throw; }
    }

    public IEnumerable<ModelInput> TrainBatches() =>
        ptuning is null ? data.TrainBatches(spec.BatchSize, spec.Seed) : data.TrainBatches(spec.BatchSize, spec.Seed, ptuning.Template);

    public Tensor Loss(PeftModel model, ModelInput batch) => ptuning is null
        ? model.forward(batch).Loss!
        : nn.functional.cross_entropy(Experiment.ClassLogits(model, batch, ptuning, verbalizer!), batch.Labels!);

    public double DevMetric(PeftModel model) => Accuracy(model, Split.Dev);

    public Func<ModelInput, long>? CountTokens => null;

    public double Accuracy(PeftModel model, Split split) => Experiment.Accuracy(model, data, split, spec.EvalBatchSize, ptuning, verbalizer);
}
