using PeftKit.Data;
using PeftKit.Methods;
using PeftKit.Models;
using PeftKit.Training;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// Runs a <see cref="RunSpec"/> on a token labelling task (T4): base → new token-classification head → <see cref="Peft.Apply"/>
/// → the same trainer as <see cref="Experiment"/> (AdamW, warmup and linear decay, clipping at 1.0, dev macro F1 every
/// <see cref="RunSpec.EvalEvery"/> steps, best checkpoint kept and restored) → dev and test scores. Every method with a
/// task head works; P-Tuning v1, which reads label words instead, does not label tokens. Call <c>KitTorch.Setup()</c> first.
/// </summary>
public static class TokenLabelExperiment
{
    /// <summary>Runs one spec and disposes the model.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static TokenLabelResult Run(TinyBase @base, TokenLabelData data, RunSpec spec, IProgress<TrainingEvent>? progress = null)
    {
        var result = Run(@base, data, spec, progress, out var model);
        var inner = model.Base;
        model.Dispose();
        inner.Dispose();
        return result;
    }

    /// <summary>Runs one spec and hands back the trained model (the best dev checkpoint, in eval mode); the caller disposes it and its <see cref="PeftModel.Base"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static TokenLabelResult Run(TinyBase @base, TokenLabelData data, RunSpec spec, IProgress<TrainingEvent>? progress, out PeftModel model)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (data.BaseName != @base.Name || data.Kind != @base.Config.Kind)
            throw new ArgumentException(
                $"The data was tokenized for '{data.BaseName}' ({data.Kind}) but the base is '{@base.Name}' ({@base.Config.Kind}); create it with TokenLabelData.Create(task, thisBase).", nameof(data));
        if (MethodCatalog.Of(spec.Method).ReadsLabelWords)
            throw new ArgumentException($"RunSpec '{spec.Label}': {spec.Method.PeftType} classifies through label words at one position; it cannot label every word. Use a method with a task head (P-Tuning v2, prompt tuning, LoRA, …).", nameof(spec));
        var task = new TokenLabelTask(@base, data, spec);
        var config = spec.TrainerConfig("macro_f1");
        var ((dev, test), cost) = ExperimentLoop.Run(task, config,
            (peft, _) => (task.Scores(peft, Split.Dev), task.Scores(peft, Split.Test)), Experiment.Labelled(progress, spec.Label), out model);
        return new TokenLabelResult
        {
            Label = spec.Label,
            Method = Experiment.MethodName(spec.Method),
            Seed = spec.Seed,
            BaseName = @base.Name,
            Spec = spec,
            TrainableParameters = cost.Trainable,
            TotalParameters = cost.Total,
            SavedParameters = cost.SavedParameters,
            AdapterBytes = cost.AdapterBytes,
            Dev = dev,
            Test = test,
            BestStep = cost.History.BestStep ?? spec.Steps,
            StepMsMedian = cost.StepMsMedian,
            Seconds = cost.Seconds,
            PeakResidentBytes = cost.PeakResidentBytes,
            PeakIncreaseBytes = cost.PeakIncreaseBytes,
            History = cost.History,
        };
    }

    /// <summary>The model's label for every labelled word of a split, in <see cref="TokenLabelData.WordLabels"/> order (eval mode; the mode is restored).</summary>
    public static int[] Predict(PeftModel model, TokenLabelData data, Split split, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.training;
        model.eval();
        var predicted = new List<int>(data.WordCount(split));
        try
        {
            using var _ = no_grad();
            foreach (var batch in Experiment.Batches(data.EvalBatches(split, batchSize)))
            {
                using var scope = NewDisposeScope();
                var logits = model.forward(batch with { Labels = null }).Logits!;                // (B, T, C)
                var labelled = batch.Labels!.ne(TokenLabelData.IgnoreLabel);                     // (B, T) the positions that carry a word's label
                var best = logits.argmax(-1).masked_select(labelled);                           // (words in the batch), row-major = word order
                predicted.AddRange(best.cpu().data<long>().ToArray().Select(v => (int)v));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return [.. predicted];
    }

    /// <summary>Whether the model labels each word of a split correctly, in <see cref="TokenLabelData.WordLabels"/> order: the input of a paired comparison.</summary>
    public static bool[] Correct(PeftModel model, TokenLabelData data, Split split, int batchSize = 64)
    {
        var gold = data.WordLabels(split);
        return [.. Predict(model, data, split, batchSize).Select((p, i) => p == gold[i])];
    }
}
