using System.Diagnostics;
using System.Text.Json;
using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Text;
using PeftKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftKit.Pretraining;

/// <summary>
/// Pretrains one of the kit's tiny bases end to end: splits the pretraining corpus by document, builds the compact
/// tokenizer from the training documents, tokenizes, trains with <see cref="Trainer{TBatch}"/> (AdamW, warmup + cosine
/// decay, clipping at 1.0), evaluates against a unigram / majority baseline, and writes the model folder
/// (see <see cref="PretrainResult.FileNames"/>). Call <c>KitTorch.Setup()</c> first. Never prints: stage messages go to
/// <c>log</c>, training events to <c>progress</c>.
/// </summary>
public static class Pretrainer
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs <paramref name="request"/>.</summary>
    /// <param name="request">What to train and where to write it.</param>
    /// <param name="log">Stage messages (split, tokenizer, files written).</param>
    /// <param name="progress">Training events (see <see cref="ConsoleProgress"/>).</param>
    /// <param name="documents">The corpus; null reads <see cref="KitData.PretrainingDocuments"/> (missing files throw
    /// <see cref="DataFileException"/> saying to run <c>kit data</c>).</param>
    /// <param name="cancellationToken">Stops training early; the files are still written.</param>
    public static PretrainResult Run(PretrainRequest request, IProgress<string>? log = null, IProgress<TrainingEvent>? progress = null,
        IReadOnlyList<PretrainingDocument>? documents = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var profile = request.Profile;
        var config = request.ModelConfig;
        if (profile.SequenceLength > config.MaxPositions)
            throw new ArgumentException($"Profile '{profile.Name}' uses sequences of {profile.SequenceLength} tokens but the model has {config.MaxPositions} positions.");
        bool decoder = config.Kind == ModelKind.Decoder;

        documents ??= KitData.PretrainingDocuments(request.DataRoot);
        var split = CorpusSplit.ByDocument(documents, profile.ValidationShare, request.Seed, profile.MaxCharacters);
        log?.Report($"corpus: {split.Train.Count} training / {split.Validation.Count} validation documents " +
                    $"({split.Train.Sum(d => (long)d.Text.Length):N0} / {split.Validation.Sum(d => (long)d.Text.Length):N0} characters), split by document with seed {request.Seed}");

        var tokenizer = CompactTokenizer.Build(split.Train.Select(d => d.Text), config.VocabSize);
        var (train, _) = Stream(split.Train, tokenizer);
        var (validation, validationBytes) = Stream(split.Validation, tokenizer);
        double unknownShare = train.Count(id => id == tokenizer.UnknownId) / (double)train.Length;
        double byteShare = train.Count(tokenizer.IsByteId) / (double)train.Length;
        log?.Report($"tokenizer: {tokenizer.VocabSize:N0} ids (cl100k compact, {(tokenizer.ByteFallback ? "byte-level BPE" : "kept ids")}); {train.Length:N0} training / {validation.Length:N0} validation tokens; " +
                    $"[UNK] {unknownShare:P2}, byte ids {byteShare:P2} of training tokens");
        var unigram = new UnigramModel(train, config.VocabSize);

        var device = KitTorch();
        manual_seed(request.Seed);
        // Dropout is a training setting: the run may use its own, the saved config.json keeps the preset's.
        var model = new TransformerModel(config with { Dropout = request.EffectiveDropout });
        model.to(device);
        long parameters = model.parameters().Sum(p => p.numel());
        int B = profile.BatchSize, T = profile.SequenceLength;

        var validationSet = BuildValidation(config, tokenizer, validation, validationBytes, profile, request.Seed);
        if (validationSet.Sequences == 0)
            throw new ArgumentException($"The validation text has fewer than {T} tokens; raise ValidationShare or MaxCharacters of profile '{profile.Name}'.");
        Func<IReadOnlyDictionary<string, double>> evaluate = () => Score(model, validationSet, B, T, device);
        IEnumerable<ModelInput> batches;
        Func<Dictionary<string, double>> baseline;
        if (decoder)
        {
            var trainBatcher = new NextTokenBatcher(train, T);
            batches = trainBatcher.RandomBatches(B, request.Seed, device);
            var windows = validationSet.Windows!;
            baseline = () =>
            {
                // The unigram model scores exactly the positions the decoder predicts: window tokens 1..T−1.
                var targets = validationSet.Starts.SelectMany(s => windows.Window([s]).Skip(1)).Select(id => (int)id).ToArray();
                double perplexity = unigram.Perplexity(targets);
                return new()
                {
                    ["unigram_perplexity"] = perplexity,
                    ["unigram_bits_per_byte"] = Math.Log(perplexity) * targets.Length / Math.Log(2) / validationSet.ScoredBytes,
                    ["positions"] = targets.Length,
                };
            };
        }
        else
        {
            var masking = new MlmMasking(tokenizer.MaskId, CompactTokenizer.Specials.Count, config.VocabSize, request.EffectiveMaskRate);
            var trainBatcher = new MaskedLmBatcher(train, T, tokenizer.ClsId, tokenizer.SepId, masking);
            batches = trainBatcher.RandomBatches(B, request.Seed, device);
            int majority = unigram.MostFrequent(CompactTokenizer.Specials.Count);
            baseline = () =>
            {
                var labels = validationSet.Masked.SelectMany(v => v.Labels).Where(l => l != MlmMasking.IgnoreLabel).ToArray();
                return new()
                {
                    ["majority_accuracy"] = labels.Count(l => l == majority) / (double)labels.Length,
                    ["majority_id"] = majority,
                    ["positions"] = labels.Length,
                };
            };
        }
        int evalSequences = validationSet.Sequences;

        int steps = request.EffectiveSteps;
        var trainerConfig = new TrainerConfig
        {
            LearningRate = request.EffectiveLearningRate,
            MinLearningRate = request.EffectiveLearningRate / 10,
            WarmupSteps = Math.Min(request.EffectiveWarmupSteps, steps - 1),
            Decay = LearningRateDecay.Cosine,
            WeightDecay = 0.1,
            Beta2 = 0.99,
            MaxGradNorm = 1.0,
            MaxSteps = steps,
            EvalEvery = profile.EvalEvery,
            Metric = "loss",
            Seed = request.Seed,
            LogEvery = Math.Min(profile.LogEvery, steps),
        };
        model.train();
        TrainingHistory history;
        using (var trainer = new Trainer<ModelInput>(trainerConfig, model.named_parameters(),
                   batch => TakeLoss(model.forward(batch)),
                   evaluate, progress, _ => (long)B * T))
            history = trainer.Train(batches, cancellationToken);
        model.eval();

        var final = history.Evals[^1].Metrics;
        var reference = baseline();
        var figures = new PretrainFigures
        {
            Model = request.ModelName,
            Profile = profile.Name,
            Seed = request.Seed,
            Steps = history.Steps.Count,
            BatchSize = B,
            SequenceLength = T,
            Parameters = parameters,
            TokenizerVocabSize = tokenizer.VocabSize,
            TrainDocuments = split.Train.Count,
            TrainTokens = train.Length,
            ValidationDocuments = split.Validation.Count,
            ValidationTokens = validation.Length,
            TrainUnknownShare = unknownShare,
            ByteFallback = tokenizer.ByteFallback,
            TrainByteShare = byteShare,
            EvalSequences = evalSequences,
            EvalPositions = (long)reference["positions"],
            ValidationLoss = final["loss"],
            ValidationPerplexity = decoder ? final["perplexity"] : null,
            ValidationBitsPerByte = final["bits_per_byte"],
            UnigramPerplexity = decoder ? reference["unigram_perplexity"] : null,
            UnigramBitsPerByte = decoder ? reference["unigram_bits_per_byte"] : null,
            MlmAccuracy = decoder ? null : final["accuracy"],
            MajorityAccuracy = decoder ? null : reference["majority_accuracy"],
            MajorityToken = decoder ? null : tokenizer.TokenOf((int)reference["majority_id"]),
            TrainSeconds = history.TotalSeconds,
            TokensPerSecond = history.TokensPerSecond,
            WallSeconds = 0,
        };

        var dir = Path.GetFullPath(request.OutputDirectory);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
        model.SaveSafetensors(Path.Combine(dir, "model.safetensors"), metadata: new Dictionary<string, string> { ["peftkit_model"] = request.ModelName });
        tokenizer.Save(Path.Combine(dir, "tokenizer.json"));
        history.Save(Path.Combine(dir, "history.json"));
        figures = figures with { WallSeconds = clock.Elapsed.TotalSeconds };
        File.WriteAllText(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(figures, Json));
        File.WriteAllText(Path.Combine(dir, "MODEL_CARD.md"), ModelCard.Markdown(request, config, figures, split));
        log?.Report($"wrote {string.Join(", ", PretrainResult.FileNames)} to {dir}");
        return new PretrainResult { Model = model, Tokenizer = tokenizer, History = history, Figures = figures, OutputDirectory = dir };
    }

    /// <summary>
    /// Scores a saved base on the validation documents of the run that wrote it — the same document split, the same
    /// windows and (for the encoder) the same fixed masks — so a model card's figures can be checked against the
    /// committed weights. Returns <c>loss</c> and <c>bits_per_byte</c> (nats of the scored positions over the UTF-8 bytes
    /// they stand for, in bits: comparable across vocabularies) plus <c>perplexity</c> (decoder) or <c>accuracy</c>
    /// (encoder; bits per byte of the masked tokens).
    /// </summary>
    /// <param name="model">The base, on <c>KitTorch.Device</c>, with the head it was pretrained with.</param>
    /// <param name="tokenizer">The tokenizer saved beside it.</param>
    /// <param name="profile">The profile it was trained with (split share, slice, batch and sequence length).</param>
    /// <param name="seed">The seed it was trained with.</param>
    /// <param name="documents">The corpus; null reads <see cref="KitData.PretrainingDocuments"/>.</param>
    public static IReadOnlyDictionary<string, double> Rescore(TransformerModel model, CompactTokenizer tokenizer, PretrainProfile profile, int seed,
        IReadOnlyList<PretrainingDocument>? documents = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(profile);
        documents ??= KitData.PretrainingDocuments();
        var split = CorpusSplit.ByDocument(documents, profile.ValidationShare, seed, profile.MaxCharacters);
        var (ids, bytes) = Stream(split.Validation, tokenizer);
        var set = BuildValidation(model.Config, tokenizer, ids, bytes, profile, seed);
        return Score(model, set, profile.BatchSize, profile.SequenceLength, KitTorch());
    }

    /// <summary>The fixed sequences a run scores: decoder windows (<see cref="Windows"/>, <see cref="Starts"/>) or encoder
    /// windows with masks drawn once from seed + 1 (<see cref="Masked"/>); <see cref="ScoredBytes"/> is the UTF-8 bytes
    /// the scored positions stand for (decoder: tokens 1..T−1 of each window; encoder: the masked tokens).</summary>
    sealed record ValidationSet(int Sequences, NextTokenBatcher? Windows, int[] Starts, (long[] Ids, long[] Labels, int Rows)[] Masked, long ScoredBytes);

    static ValidationSet BuildValidation(TransformerConfig config, CompactTokenizer tokenizer, int[] validation, int[] byteCounts,
        PretrainProfile profile, int seed)
    {
        int B = profile.BatchSize, T = profile.SequenceLength;
        if (config.Kind == ModelKind.Decoder)
        {
            var windows = new NextTokenBatcher(validation, T);
            int n = Math.Min(profile.MaxEvalSequences, windows.WindowCount);
            var starts = windows.FixedStarts(0, n);
            long bytes = starts.Sum(start => Enumerable.Range(start + 1, T - 1).Sum(i => (long)byteCounts[i]));   // the predicted tokens
            return new(n, windows, starts, [], bytes);
        }
        var masking = new MlmMasking(tokenizer.MaskId, CompactTokenizer.Specials.Count, config.VocabSize);
        var batcher = new MaskedLmBatcher(validation, T, tokenizer.ClsId, tokenizer.SepId, masking);
        int count = Math.Min(profile.MaxEvalSequences, batcher.WindowCount);
        // Fixed validation masks (own seed), so every evaluation scores the same positions.
        var rng = new Random(seed + 1);
        long maskedBytes = 0;
        var set = Enumerable.Range(0, (count + B - 1) / B).Select(i =>
        {
            var starts = batcher.FixedStarts(i * B, Math.Min(B, count - i * B));
            var ids = batcher.Clean(starts);
            var labels = masking.Apply(ids, rng);
            // Row b position p (1..T−2, between [CLS] and [SEP]) holds stream token starts[b] + p − 1.
            for (int j = 0; j < labels.Length; j++)
                if (labels[j] != MlmMasking.IgnoreLabel) maskedBytes += byteCounts[starts[j / T] + j % T - 1];
            return (ids, labels, starts.Length);
        }).ToArray();
        return new(count, null, [], set, maskedBytes);
    }

    static Dictionary<string, double> Score(TransformerModel model, ValidationSet set, int batchSize, int T, Device device) =>
        set.Windows is { } windows ? EvaluateDecoder(model, windows, set.Starts, set.ScoredBytes, batchSize, device)
                                   : EvaluateEncoder(model, set.Masked, set.ScoredBytes, T, device);

    static Device KitTorch() => Setup.KitTorch.Device;

    static Tensor TakeLoss(ModelOutput output)
    {
        output.HiddenStates.Dispose();
        output.Pooled?.Dispose();
        output.Logits?.Dispose();
        return output.Loss!;
    }

    /// <summary>Documents joined into one stream, each followed by end-of-text, with the UTF-8 bytes each id stands for.</summary>
    static (int[] Ids, int[] ByteCounts) Stream(IEnumerable<PretrainingDocument> documents, CompactTokenizer tokenizer)
    {
        var stream = new List<int>();
        var bytes = new List<int>();
        foreach (var d in documents)
        {
            var (ids, counts) = tokenizer.EncodeWithByteCounts(d.Text);
            stream.AddRange(ids);
            bytes.AddRange(counts);
            stream.Add(tokenizer.EndOfTextId);
            bytes.Add(0);
        }
        return ([.. stream], [.. bytes]);
    }

    static Dictionary<string, double> EvaluateDecoder(TransformerModel model, NextTokenBatcher batcher, int[] starts, long scoredBytes, int batchSize, Device device)
    {
        model.eval();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < starts.Length; i += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = starts[i..Math.Min(starts.Length, i + batchSize)];
            var batch = batcher.Batch(chunk, device);
            using var output = model.forward(batch);
            long positions = chunk.Length * (batcher.SequenceLength - 1L);   // the mean runs over B·(T−1) predictions
            sum += output.Loss!.item<float>() * (double)positions;
            count += positions;
        }
        model.train();
        var loss = sum / count;
        return new() { ["loss"] = loss, ["perplexity"] = Math.Exp(loss), ["bits_per_byte"] = sum / Math.Log(2) / scoredBytes };
    }

    static Dictionary<string, double> EvaluateEncoder(TransformerModel model, (long[] ids, long[] labels, int rows)[] set, long maskedBytes, int T, Device device)
    {
        model.eval();
        double nll = 0;
        long correct = 0, count = 0;
        foreach (var (ids, labels, rows) in set)
        {
            using var scope = NewDisposeScope();
            var input = tensor(ids, [rows, T], device: device);                     // (B, T)
            var target = tensor(labels, [rows, T], device: device);                 // (B, T)
            using var output = model.forward(new ModelInput(input));
            var logits = output.Logits!.reshape(-1, model.Config.VocabSize);         // (B·T, V)
            var flat = target.reshape(-1);                                          // (B·T)
            var selected = flat.ne(MlmMasking.IgnoreLabel);
            nll += nn.functional.cross_entropy(logits, flat, reduction: nn.Reduction.Sum).to(ScalarType.Float64).item<double>();
            correct += logits.argmax(1).eq(flat).logical_and(selected).sum().item<long>();
            count += selected.sum().item<long>();
        }
        model.train();
        if (count == 0) throw new InvalidOperationException("No validation position was masked; use more validation text.");
        return new() { ["loss"] = nll / count, ["accuracy"] = correct / (double)count, ["bits_per_byte"] = nll / Math.Log(2) / maskedBytes };
    }
}
