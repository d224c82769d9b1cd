using PeftKit.Benchmarks;
using PeftKit.Data;
using PeftKit.Methods;
using PeftKit.Methods.PTuning;
using PeftKit.Models;
using PeftKit.Training;
using static TorchSharp.torch;
using PeftKit.Measurement;

namespace PeftKit.Experiments;

/// <summary>
/// Runs a <see cref="RunSpec"/>: base → <see cref="Peft.Apply"/>(method) → <see cref="Trainer{TBatch}"/> (AdamW,
/// warmup + linear decay, clipping at 1.0, dev accuracy every <see cref="RunSpec.EvalEvery"/> steps, best dev checkpoint
/// kept and restored) → dev and test accuracy, step time, memory and the saved adapter's size. Every method works:
/// classification methods train with a sequence-classification head; P-Tuning v1 (<see cref="PTuningConfig"/>) reads
/// label words through a <see cref="Verbalizer"/> — an encoder's masked-LM logits at [MASK], a decoder's next-token
/// logits after the row's last token. Call <c>KitTorch.Setup()</c> first.
/// </summary>
public static class Experiment
{
    /// <summary>
    /// Every single method's short name, in table order (as <c>kit bench</c> names them); combinations of methods
    /// (<see cref="MethodDescriptor.CombinesMethods"/>) are left out. Any catalog name runs.
    /// </summary>
    public static IReadOnlyList<string> Methods { get; } = [.. MethodCatalog.All.Where(d => !d.CombinesMethods).Select(d => d.Name)];

    /// <summary>Runs one spec and disposes the model.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static RunResult Run(TinyBase @base, ClassificationData data, RunSpec spec, IProgress<TrainingEvent>? progress = null)
    {
        var result = Run(@base, data, spec, progress, out var model);
        var inner = model.Base;
        model.Dispose();
        inner.Dispose();
        return result;
    }

    /// <summary>Runs one spec and hands back the trained model (the best dev checkpoint, in eval mode); the caller disposes it and its <see cref="PeftModel.Base"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static RunResult Run(TinyBase @base, ClassificationData data, RunSpec spec, IProgress<TrainingEvent>? progress, out PeftModel model)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (data.BaseName != @base.Name || data.Kind != @base.Config.Kind)
            throw new ArgumentException(
                $"The data was tokenized for '{data.BaseName}' ({data.Kind}) but the base is '{@base.Name}' ({@base.Config.Kind}); create it with ClassificationData.Create(task, thisBase).", nameof(data));
        var ptuning = spec.Method as PTuningConfig;
        var verbalizer = ptuning is null ? null : spec.Verbalizer ?? data.DefaultVerbalizer();
        if (verbalizer is not null && verbalizer.LabelTokenIds.Count != data.LabelNames.Count)
            throw new ArgumentException($"RunSpec '{spec.Label}': the verbalizer has {verbalizer.LabelTokenIds.Count} label words but {data.Task} has {data.LabelNames.Count} classes.", nameof(spec));
        if (verbalizer is not null && verbalizer.LabelTokenIds.Any(id => id >= @base.Config.VocabSize))
            throw new ArgumentException($"RunSpec '{spec.Label}': a verbalizer token id is outside the base's vocabulary of {@base.Config.VocabSize}.", nameof(spec));

        var task = new ClassificationTask(@base, data, spec, ptuning, verbalizer);
        var config = spec.TrainerConfig("accuracy");
        var ((dev, test), cost) = ExperimentLoop.Run(task, config,
            (peft, history) => (history.BestMetric ?? task.Accuracy(peft, Split.Dev), task.Accuracy(peft, Split.Test)), Labelled(progress, spec.Label), out model);
        return new RunResult
        {
            Label = spec.Label,
            Method = MethodName(spec.Method),
            Seed = spec.Seed,
            BaseName = @base.Name,
            Spec = spec,
            TrainableParameters = cost.Trainable,
            TotalParameters = cost.Total,
            SavedParameters = cost.SavedParameters,
            AdapterBytes = cost.AdapterBytes,
            DevAccuracy = dev,
            TestAccuracy = test,
            BestStep = cost.History.BestStep ?? spec.Steps,
            StepMsMedian = cost.StepMsMedian,
            Seconds = cost.Seconds,
            PeakResidentBytes = cost.PeakResidentBytes,
            PeakIncreaseBytes = cost.PeakIncreaseBytes,
            History = cost.History,
        };
    }

    /// <summary>Runs every spec in turn on the same base and data (each from a fresh copy of the base).</summary>
    public static IReadOnlyList<RunResult> RunAll(TinyBase @base, ClassificationData data, IEnumerable<RunSpec> specs, IProgress<TrainingEvent>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var list = specs.ToList();
        var labels = list.GroupBy(s => s.Label).FirstOrDefault(g => g.Count() > 1);
        if (labels is not null) throw new ArgumentException($"Two specs are labelled '{labels.Key}'; labels name the lines of tables and charts, so make them unique.", nameof(specs));
        return [.. list.Select(s => Run(@base, data, s, progress))];
    }

    /// <summary>
    /// The method's configuration as <c>kit bench</c> measures it (LoRA r=8 α=16 on c_attn / query,value; adapters
    /// r=64; 20 virtual tokens for prefix, prompt, P-Tuning v1/v2), with P-Tuning v1's template built for this
    /// base's tokenizer (<see cref="PTuningTemplate(TinyBase, int)"/>).
    /// </summary>
    public static PeftConfig MethodConfig(string method, TinyBase @base)
    {
        ArgumentNullException.ThrowIfNull(@base);
        var descriptor = MethodCatalog.ByName(method);
        return descriptor.Recipe(new MethodRecipeContext(@base.Config, BenchMethods.VirtualTokens,
            descriptor.ReadsLabelWords ? PTuningTemplate(@base, BenchMethods.VirtualTokens) : null));
    }

    /// <summary>
    /// A P-Tuning v1 classification template, following the paper's "[P] x [P] [MASK]" shape (on a decoder the [MASK]
    /// is not in the row: the label word is the token after it):
    /// ⌈n/2⌉ pseudo tokens, the text, ⌊n/2⌋ pseudo tokens, [MASK]. Pseudo positions are marked with &lt;|endoftext|&gt;,
    /// an id P-Tuning rows never contain otherwise (its embedding is replaced anyway).
    /// </summary>
    public static PTuningTemplate PTuningTemplate(TinyBase @base, int virtualTokens = 20)
    {
        ArgumentNullException.ThrowIfNull(@base);
        if (virtualTokens < 2) throw new ArgumentOutOfRangeException(nameof(virtualTokens), virtualTokens, "The template splits the pseudo tokens around the text; use at least 2.");
        int before = (virtualTokens + 1) / 2;
        return new PTuningTemplate(
            [TemplatePart.Prompt(before), TemplatePart.Input(0), TemplatePart.Prompt(virtualTokens - before), TemplatePart.Mask],
            @base.Tokenizer.EndOfTextId, @base.Tokenizer.MaskId);
    }

    /// <summary>The short name of a configuration's method (full, linear-probe, bitfit, ia3, adapter, prefix, prompt, ptuning-v1, ptuning-v2, lora).</summary>
    public static string MethodName(PeftConfig config) => MethodCatalog.Of(config).Name;

    /// <summary>Accuracy of a trained model on a split (eval mode; training mode restored afterwards).</summary>
    public static double Accuracy(PeftModel model, ClassificationData data, Split split, int batchSize = 64, Verbalizer? verbalizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var ptuning = model.ConfigOf() as PTuningConfig;
        return Accuracy(model, data, split, batchSize, ptuning, ptuning is null ? null : verbalizer ?? data.DefaultVerbalizer());
    }

    /// <summary>Whether the trained model answers each example of a split correctly, in the split's order: the input of a
    /// paired comparison (<see cref="PairedComparison"/>) of two models on the same examples.</summary>
    public static bool[] Correct(PeftModel model, ClassificationData data, Split split, int batchSize = 64, Verbalizer? verbalizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var ptuning = model.ConfigOf() as PTuningConfig;
        var answers = new List<bool>();
        ForEachBatchHits(model, data, split, batchSize, ptuning, ptuning is null ? null : verbalizer ?? data.DefaultVerbalizer(),
            hits => answers.AddRange(hits.cpu().data<bool>().ToArray()));   // one sync a batch: fine for a one-off comparison
        return [.. answers];
    }

    internal static double Accuracy(PeftModel peft, ClassificationData data, Split split, int batchSize, PTuningConfig? ptuning, Verbalizer? verbalizer)
    {
        // Correct answers are counted on the device and read once at the end: one device→host sync per
        // evaluation instead of one per batch (.item() in the loop stalled a GPU after every batch).
        Tensor? correct = null;
        try
        {
            long total = 0;
            ForEachBatchHits(peft, data, split, batchSize, ptuning, verbalizer, hits =>
            {
                var sum = hits.sum();                                          // (), stays on the device
                if (correct is null) correct = sum.DetachFromDisposeScope(); else correct.add_(sum);
                total += hits.shape[0];
            });
            return total == 0 ? double.NaN : correct!.item<long>() / (double)total;
        }
        finally
        {
            correct?.Dispose();   // also when a batch throws
        }
    }

    /// <summary>Calls <paramref name="use"/> with each eval batch's (B) bool tensor of correct answers (eval mode, no
    /// gradients; the model's training mode is restored afterwards). The tensor lives until the callback returns.</summary>
    static void ForEachBatchHits(PeftModel peft, ClassificationData data, Split split, int batchSize, PTuningConfig? ptuning, Verbalizer? verbalizer, Action<Tensor> use)
    {
        bool training = peft.training;
        peft.eval();
        try
        {
            using var _ = no_grad();
            var batches = ptuning is null ? data.EvalBatches(split, batchSize) : data.EvalBatches(split, batchSize, ptuning.Template);
            foreach (var batch in Batches(batches))
            {
                using var scope = NewDisposeScope();
                var labels = batch.Labels!;
                var logits = ptuning is null
                    ? peft.forward(batch with { Labels = null }).Logits!               // (B, C)
                    : ClassLogits(peft, batch, ptuning, verbalizer!);                  // (B, C)
                use(logits.argmax(1).eq(labels));                                      // (B) bool
            }
        }
        finally
        {
            peft.train(training);
        }
    }

    /// <summary>Disposes each batch's tensors after it is used.</summary>
    internal static IEnumerable<ModelInput> Batches(IEnumerable<ModelInput> source)
    {
        foreach (var b in source)
        {
            try { yield return b; }
            finally
            {
                b.InputIds.Dispose();
                b.AttentionMask?.Dispose();
                b.Labels?.Dispose();
            }
        }
    }

    /// <summary>P-Tuning v1: the label words' logits → (B, C), at [MASK] (encoder) or after the last token (decoder).</summary>
    internal static Tensor ClassLogits(PeftModel peft, ModelInput batch, PTuningConfig ptuning, Verbalizer verbalizer)
    {
        // One position per row is read — after the last token (decoder) or at [MASK] (encoder) — so the LM head runs
        // there only: (B, V) logits instead of (B, T, V).
        var positions = peft.Base.Config.Kind == ModelKind.Decoder
            ? TokenPositions.LastReal(batch.AttentionMask!)
            : Verbalizer.MaskPositions(batch.InputIds, ptuning.Template.MaskTokenId);           // (B)
        var output = peft.forward(new ModelInput(batch.InputIds, batch.AttentionMask, LogitPositions: positions));
        return verbalizer.Select(output.Logits!);                                                // (B, V) → (B, C)
    }

    internal static IProgress<TrainingEvent>? Labelled(IProgress<TrainingEvent>? progress, string label) =>
        progress is null ? null : new LabelledProgress(progress, label);

    /// <summary>Prefixes the run's label to the trainer's start and finish sentences.</summary>
    sealed class LabelledProgress(IProgress<TrainingEvent> inner, string label) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) =>
            inner.Report(value.Message is null ? value : value with { Message = $"{label}: {value.Message}" });
    }
}
