using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Training;
using static TorchSharp.torch;
using PeftKit.Measurement;

namespace PeftKit.Experiments;

/// <summary>
/// Trains a method on a generation task with next-token loss on the answer tokens only (the prompt is context), keeps
/// the checkpoint with the best dev loss, and scores it: dev/test loss, and token F1 / exact match of greedy
/// generations (<see cref="TextGeneration"/>, KV cache, stopping at end of text).
/// </summary>
public static class GenerationExperiment
{
    /// <summary>Runs <paramref name="spec"/> on a fresh copy of <paramref name="base"/> with its LM head, then disposes it.</summary>
    public static GenerationResult Run(TinyBase @base, GenerationData data, GenerationSpec spec, IProgress<TrainingEvent>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        return Run(@base.CreateModel(HeadKind.LanguageModel), data, spec, progress);
    }

    /// <summary>Runs <paramref name="spec"/> on a fresh copy of <paramref name="base"/> and hands the adapted model back (the caller disposes it).</summary>
    public static GenerationResult Run(TinyBase @base, GenerationData data, GenerationSpec spec, IProgress<TrainingEvent>? progress, out PeftModel peft)
    {
        ArgumentNullException.ThrowIfNull(@base);
        return Run(@base.CreateModel(HeadKind.LanguageModel), data, spec, progress, out peft);
    }

    /// <summary>Runs <paramref name="spec"/> on <paramref name="model"/> (a decoder with the LM head), then disposes it.</summary>
    public static GenerationResult Run(TransformerModel model, GenerationData data, GenerationSpec spec, IProgress<TrainingEvent>? progress = null)
    {
        var result = Run(model, data, spec, progress, out var peft);
        peft.Dispose();
        model.Dispose();
        return result;
    }

    /// <summary>
    /// Runs <paramref name="spec"/> on <paramref name="model"/> and hands the adapted model back in
    /// <paramref name="peft"/> (the caller disposes it), e.g. to save, consolidate or generate with it.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static GenerationResult Run(TransformerModel model, GenerationData data, GenerationSpec spec, IProgress<TrainingEvent>? progress, out PeftModel peft)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        CheckDecoder(model, data);
        if (spec.WarmupSteps >= spec.Steps)
            throw new ArgumentException($"{spec.Label}: WarmupSteps ({spec.WarmupSteps}) must be below Steps ({spec.Steps}).", nameof(spec));
        var config = new TrainerConfig
        {
            LearningRate = spec.LearningRate,
            WarmupSteps = spec.WarmupSteps,
            Decay = LearningRateDecay.Linear,
            MaxGradNorm = 1.0,
            MaxSteps = spec.Steps,
            EvalEvery = Math.Min(spec.EvalEvery, spec.Steps),
            Metric = "dev_loss",
            Goal = MetricGoal.Minimize,
            KeepBestCheckpoint = true,
            Seed = spec.Seed,
            LogEvery = Math.Min(10, spec.Steps),
        };
        var ((dev, test), cost) = ExperimentLoop.Run(new GenerationTask(model, data, spec), config, (_, _) =>
            (Evaluate(model, data, Split.Dev, maxNewTokens: spec.MaxNewTokens, maxExamples: spec.GenerateMax, samples: 0),
             Evaluate(model, data, Split.Test, maxNewTokens: spec.MaxNewTokens, maxExamples: spec.GenerateMax, samples: spec.Samples)),
            progress, out peft);
        return new GenerationResult
        {
            Label = spec.Label, Method = Experiment.MethodName(spec.Method), Seed = spec.Seed,
            TrainableParameters = cost.Trainable, TotalParameters = cost.Total,
            SavedParameters = cost.SavedParameters, AdapterBytes = cost.AdapterBytes, Dev = dev, Test = test,
            BestStep = cost.History.BestStep ?? spec.Steps, StepMsMedian = cost.StepMsMedian, Seconds = cost.Seconds,
            PeakResidentBytes = cost.PeakResidentBytes, PeakIncreaseBytes = cost.PeakIncreaseBytes, History = cost.History,
        };
    }

    /// <summary>
    /// Scores <paramref name="model"/> (a plain or adapted decoder; with a PEFT method, pass <c>peft.Base</c>) on
    /// <paramref name="split"/>: teacher-forced answer loss over every example, and greedy generations for the first
    /// <paramref name="maxExamples"/> (all when null), of which the first <paramref name="samples"/> are kept.
    /// </summary>
    public static GenerationEvaluation Evaluate(TransformerModel model, GenerationData data, Split split, int batchSize = 32,
        int maxNewTokens = 24, int? maxExamples = null, int samples = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckDecoder(model, data);
        var loss = Loss(model, data, split, batchSize);
        var (nats, tokens) = ExampleLosses(model, data, split, batchSize);
        var options = new GenerationOptions(MaxNewTokens: maxNewTokens, EosTokenId: data.Tokenizer.EndOfTextId);
        double f1 = 0, exact = 0;
        int n = 0;
        var exampleF1 = new List<double>();
        var kept = new List<GenerationSample>();
        foreach (var (prompt, indices) in data.PromptBatches(split, batchSize, maxExamples))
        {
            using var scope = NewDisposeScope();
            var output = TextGeneration.Generate(model, prompt.InputIds, options, prompt.AttentionMask);   // (B, T + new)
            long T = prompt.InputIds.shape[1];
            var rows = output[.., (int)T..].cpu().data<long>().ToArray();
            int width = (int)(output.shape[1] - T);
            for (int b = 0; b < indices.Length; b++)
            {
                var ids = rows.Skip(b * width).Take(width).TakeWhile(id => id != data.Tokenizer.EndOfTextId).Select(id => (int)id);
                var generated = data.Tokenizer.Decode(ids, skipSpecials: true).Trim();   // [UNK] and other specials dropped
                var reference = data.ReferenceText(split, indices[b]);
                var score = GenerationMetrics.TokenF1(generated, reference);
                f1 += score;
                exampleF1.Add(score);
                exact += GenerationMetrics.ExactMatch(generated, reference);
                n++;
                if (kept.Count < samples)
                {
                    kept.Add(new GenerationSample(data.SourceText(split, indices[b]), reference, generated, score));
                }
            }
        }
        return new GenerationEvaluation(loss, n == 0 ? 0 : f1 / n, n == 0 ? 0 : exact / n, n, kept)
        {
            ExampleNats = nats, ExampleTokens = tokens, ExampleF1 = exampleF1,
        };
    }

    /// <summary>Mean teacher-forced cross-entropy (nats) over every answer token of <paramref name="split"/>, dropout off.</summary>
    public static double Loss(TransformerModel model, GenerationData data, Split split, int batchSize = 32)
    {
        var (sum, count) = ForEachEvalBatch(model, data, split, batchSize, () => (Sum: 0.0, Count: 0L), (total, batch, output) =>
        {
            // The batch loss is the mean over its scored positions: labels 1..T−1 that are not ignored.
            long scored = batch.Labels![.., 1..].ne(GenerationData.IgnoreLabel).sum().item<long>();
            return (total.Sum + output.Loss!.item<float>() * (double)scored, total.Count + scored);
        });
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>
    /// Each example's summed teacher-forced cross-entropy over its answer tokens (nats, summed in float64) and its answer
    /// token count, in example order, dropout off. Σ nats / Σ tokens equals <see cref="Loss"/> up to float32 rounding.
    /// </summary>
    public static (double[] Nats, int[] Tokens) ExampleLosses(TransformerModel model, GenerationData data, Split split, int batchSize = 32)
    {
        var (nats, tokens) = ForEachEvalBatch(model, data, split, batchSize, () => (Nats: new List<double>(), Tokens: new List<int>()), (lists, batch, output) =>
        {
            var logProbs = output.Logits![.., ..^1, ..].log_softmax(-1);                       // (B, T−1, V): position t predicts t+1
            var target = batch.Labels![.., 1..];                                                // (B, T−1)
            var scored = target.ne(GenerationData.IgnoreLabel);                                 // (B, T−1)
            var picked = logProbs.gather(-1, target.clamp_min(0).unsqueeze(-1)).squeeze(-1);    // (B, T−1): log p(label)
            lists.Nats.AddRange(picked.masked_fill(scored.logical_not(), 0).to_type(ScalarType.Float64).sum(1).neg().cpu().data<double>());
            lists.Tokens.AddRange(scored.sum(1).cpu().data<long>().Select(c => (int)c));
            return lists;
        });
        return ([.. nats], [.. tokens]);
    }

    /// <summary>
    /// Folds <paramref name="step"/> over the teacher-forced batches of <paramref name="split"/> in eval mode without
    /// gradients (each batch's tensors disposed after its step), restoring the model's training mode afterwards.
    /// </summary>
    static T ForEachEvalBatch<T>(TransformerModel model, GenerationData data, Split split, int batchSize, Func<T> seed, Func<T, ModelInput, ModelOutput, T> step)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckDecoder(model, data);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var state = seed();
            foreach (var batch in data.EvalBatches(split, batchSize))
            {
                using var scope = NewDisposeScope();
                using var output = model.forward(batch);
                state = step(state, batch, output);
            }
            return state;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    static void CheckDecoder(TransformerModel model, GenerationData data)
    {
        if (model.Head != HeadKind.LanguageModel)
            throw new ArgumentException(
                $"Generation trains a decoder with its language-model head; this model has the {model.Head} head. Create it with HeadKind.LanguageModel (e.g. tinyGpt.CreateModel(HeadKind.LanguageModel)).", nameof(model));
        if (data.Tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException(
                $"The data was tokenized with a {data.Tokenizer.VocabSize}-id vocabulary but the model has {model.Config.VocabSize} ids; tokenize with the base model's own tokenizer.", nameof(data));
    }
}
