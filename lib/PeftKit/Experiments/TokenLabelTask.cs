using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Quantization;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>Token labelling in <see cref="ExperimentLoop"/>: a new token-classification head on every position, the loss on labelled words only; the dev metric is macro F1.</summary>
internal sealed class TokenLabelTask(TinyBase @base, TokenLabelData data, RunSpec spec) : IExperimentTask
{
    public PeftModel Adapt()
    {
        manual_seed(spec.Seed);   // the head's and the method's initialisation
        var inner = @base.CreateModel(HeadKind.TokenClassification, data.LabelNames.Count);
        try
        {
            if (spec.QuantizeBase is { } kind) BaseQuantizer.Quantize(inner, kind);
            return Peft.Apply(inner, spec.Method);
        }
        catch { inner.Dispose(); throw; }
    }

    public IEnumerable<ModelInput> TrainBatches() => data.TrainBatches(spec.BatchSize, spec.Seed);

    public Tensor Loss(PeftModel model, ModelInput batch) => model.forward(batch).Loss!;   // cross-entropy over labelled words (−100 ignored)

    public double DevMetric(PeftModel model) => Scores(model, Split.Dev).MacroF1;

    public Func<ModelInput, long>? CountTokens => null;

    public TokenLabelScores Scores(PeftModel model, Split split) =>
        TokenLabelScores.Of(TokenLabelExperiment.Predict(model, data, split, spec.EvalBatchSize), data.WordLabels(split), data.LabelNames.Count);
}
