using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>Greedy and top-k generation for a decoder with an LM head, with a KV cache that composes with prefixes and input transforms.</summary>
public static class TextGeneration
{
    /// <summary>
    /// Continues <paramref name="inputIds"/> (B, T) and returns (B, T + n) ids. Batches of different lengths must be
    /// left-padded with <paramref name="attentionMask"/> marking the real tokens. Runs under no_grad with dropout off
    /// (the model's training mode is restored afterwards).
    /// </summary>
    public static Tensor Generate(TransformerModel model, Tensor inputIds, GenerationOptions options, Tensor? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.Head != HeadKind.LanguageModel)
            throw new InvalidOperationException($"Generation needs a decoder with the LanguageModel head; this model has the {model.Head} head.");
        if (options.TopK > model.Config.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.TopK, $"TopK ({options.TopK}) exceeds the vocabulary ({model.Config.VocabSize}).");

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            using var sampler = new Generator((ulong)options.Seed, inputIds.device);
            long B = inputIds.shape[0];
            var ids = inputIds;                                                     // (B, T + t)
            var mask = attentionMask?.to(int64) ?? ones_like(inputIds);            // (B, T + t)
            var finished = zeros(B, @bool, inputIds.device);
            using var cache = options.UseCache ? new KvCache(model.Config.NumLayers) : null;
            var step = ids;                                                         // what the next forward sees
            var stepMask = mask;
            for (int t = 0; t < options.MaxNewTokens; t++)
            {
                using var output = model.forward(new ModelInput(step, stepMask), cache);
                var logits = output.Logits![.., -1, ..];                            // (B, V) at the last position
                var next = options.TopK == 0 ? logits.argmax(-1) : SampleTopK(logits, options, sampler);   // (B)
                if (options.EosTokenId is { } eos)
                {
                    next = where(finished, full_like(next, eos), next);
                    finished = finished.logical_or(next.eq(eos));
                }
                var column = next.unsqueeze(1);                                     // (B, 1)
                ids = cat([ids, column], 1);
                mask = cat([mask, ones_like(column)], 1);
                (step, stepMask) = cache is null ? (ids, mask) : (column, ones_like(column));
                if (options.EosTokenId is not null && finished.all().item<bool>()) break;
            }
            return ids.MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    static Tensor SampleTopK(Tensor logits, GenerationOptions options, Generator sampler)
    {
        var scaled = logits / options.Temperature;                                  // (B, V)
        var kth = scaled.topk(options.TopK, -1).values[.., ^1..];                   // (B, 1) k-th largest
        var kept = scaled.masked_fill(scaled.lt(kth), double.NegativeInfinity);     // outside the top k: probability 0
        return multinomial(nn.functional.softmax(kept, -1), 1, generator: sampler).squeeze(1);   // (B)
    }
}
