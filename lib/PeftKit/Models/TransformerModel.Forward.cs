using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

public sealed partial class TransformerModel
{
    /// <summary>Runs the model on a batch; see <see cref="ModelOutput"/> for what comes back.</summary>
    public override ModelOutput forward(ModelInput input) => forward(input, null);

    /// <summary>
    /// Runs the model, reading and extending <paramref name="cache"/> when given (decoder generation): the new tokens
    /// attend to the cached ones, and positions continue after them. The input transform applies only while the cache is empty.
    /// </summary>
    public ModelOutput forward(ModelInput input, KvCache? cache)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var ids = input.InputIds;
        CheckIds(ids, input.AttentionMask);
        if (input.LogitPositions is { } positionsToRead) CheckLogitPositions(positionsToRead, input.Labels, ids.shape[0]);
        long B = ids.shape[0], T = ids.shape[1], d = Config.HiddenSize;
        var mask = input.AttentionMask?.to(int64) ?? ones_like(ids);                   // (B, T) 1 = real

        // Input embeddings, optionally transformed (virtual tokens inserted): (B, T', d).
        var x = WordEmbeddings.call(ids);                                                // (B, T, d)
        Tensor? realIndex = null;
        if (InputTransform is { } transform && (cache is null || cache.Length == 0))
        {
            (x, mask) = transform.Transform(x, ids, mask);
            mask = mask.to(int64);
            realIndex = transform.RealTokenIndex(ids).to(int64);                         // (B, T) into T'
            CheckTransform(x, mask, realIndex, B, T);
        }
        long T2 = x.shape[1], past = cache?.Length ?? 0;
        if (past + T2 > Config.MaxPositions)
            throw new ArgumentException($"The sequence has {past + T2} positions (cached {past} + new {T2}) but the model has {Config.MaxPositions}; shorten the input.");

        var positions = Positions(mask, past, cache?.Mask);                             // (B, T')

        var ctx = new AttentionContext(AdditiveMask(mask, cache?.Mask, 0, x.dtype), Prefix is { } p ? AdditiveMask(mask, cache?.Mask, p.Length, x.dtype) : null, Prefix, cache);
        if (h is not null)
        {
            x = drop!.call(x + wpe!.call(positions));                                   // (B, T', d)
            foreach (var block in h) x = block.forward(x, ctx);
            x = ln_f!.call(x);
        }
        else
        {
            var types = input.TokenTypeIds?.to(int64) ?? zeros_like(ids);                // (B, T)
            if (realIndex is not null) types = zeros(B, T2, int64, ids.device).scatter(1, realIndex, types); // virtual tokens: type 0
            x = embeddings!.forward(x, positions, types);                                // (B, T', d)
            x = encoder!.forward(x, ctx);                                               // (B, T', d)
        }
        cache?.AppendMask(mask);

        // Back to the real tokens only: (B, T, d).
        var hidden = realIndex is null ? x : x.gather(1, realIndex.unsqueeze(-1).expand(B, T, d));
        var realMask = input.AttentionMask?.to(int64) ?? ones_like(ids);                 // (B, T)
        var pooled = pooler?.call(hidden[.., 0, ..]);                                    // (B, d) from [CLS]; null in a decoder
        var (logits, loss) = input.LogitPositions is { } readAt ? (LogitsAt(hidden, readAt), null) : RunHead(hidden, pooled, realMask, input.Labels);
        hidden = hidden.MoveToOuterDisposeScope();
        pooled?.MoveToOuterDisposeScope();
        logits?.MoveToOuterDisposeScope();
        loss?.MoveToOuterDisposeScope();
        return new ModelOutput(hidden, logits, loss, pooled);
    }

    /// <summary>
    /// Position ids (B, T') as each family's reference implementation computes them. BERT (Hugging Face's
    /// BertEmbeddings): arange(past, past + T') whatever the mask, so left padding shifts the real tokens' positions and
    /// virtual tokens an input transform prepends count as positions (PEFT's prompt tuning concatenates them to
    /// inputs_embeds). GPT-2: cumsum(mask) − 1 over the cached and new mask, clamped at 0, which is what Hugging Face's
    /// GPT-2 generate (prepare_inputs_for_generation) derives from the attention mask, so a left-padded prompt's real
    /// tokens sit at 0, 1, … as they would unpadded. With right padding and an all-ones prefix of virtual tokens the two
    /// rules agree at every real position.
    /// </summary>
    Tensor Positions(Tensor mask, long past, Tensor? pastMask)
    {
        long B = mask.shape[0], T = mask.shape[1];
        if (Config.Kind == ModelKind.Encoder)
            return arange(past, past + T, dtype: int64, device: mask.device).unsqueeze(0).expand(B, T);
        var positions = mask.cumsum(1) - 1;                                              // (B, T')
        if (pastMask is not null) positions = positions + pastMask.sum(1, keepdim: true);
        return positions.clamp_min(0);
    }

    /// <summary>LM/MLM head at one position per row: hidden (B, T, d), positions (B) → logits (B, V).</summary>
    Tensor LogitsAt(Tensor hidden, Tensor positions)
    {
        long B = hidden.shape[0];
        var rows = hidden[arange(B, device: hidden.device), positions];                     // (B, d)
        return Head == HeadKind.LanguageModel
            ? functional.linear(rows, wte!.weight!)                                          // (B, V), tied
            : cls!.predictions.forward(rows, WordEmbeddings.weight!);                        // (B, V), tied decoder
    }

    (Tensor? logits, Tensor? loss) RunHead(Tensor hidden, Tensor? pooled, Tensor mask, Tensor? labels)
    {
        long B = hidden.shape[0], T = hidden.shape[1];
        switch (Head)
        {
            case HeadKind.LanguageModel:
            {
                var logits = functional.linear(hidden, wte!.weight!);                        // (B, T, V), tied
                if (labels is null) return (logits, null);
                CheckLabels(labels, [B, T]);
                // Position t predicts token t+1.
                var shifted = logits[.., ..^1, ..].reshape(-1, Config.VocabSize);            // (B·(T-1), V)
                return (logits, functional.cross_entropy(shifted, labels[.., 1..].reshape(-1)));
            }
            case HeadKind.MaskedLanguageModel:
            {
                var logits = cls!.predictions.forward(hidden, WordEmbeddings.weight!);      // (B, T, V), tied decoder
                if (labels is null) return (logits, null);
                CheckLabels(labels, [B, T]);
                return (logits, functional.cross_entropy(logits.reshape(-1, Config.VocabSize), labels.reshape(-1)));
            }
            case HeadKind.SequenceClassification:
            {
                Tensor logits;
                if (score is not null)
                {
                    // Last real token of each row (works for left and right padding).
                    var last = TokenPositions.LastReal(mask);                                // (B)
                    var lastHidden = hidden[arange(B, device: mask.device), last];           // (B, d)
                    logits = score.call(dropout!.call(lastHidden));                           // (B, labels)
                }
                else
                {
                    logits = classifier!.call(dropout!.call(pooled!));                       // (B, labels) from the pooled [CLS]
                }
                if (labels is null) return (logits, null);
                CheckLabels(labels, [B]);
                return (logits, functional.cross_entropy(logits, labels));
            }
            case HeadKind.TokenClassification:
            {
                var logits = classifier!.call(dropout!.call(hidden));                        // (B, T, labels)
                if (labels is null) return (logits, null);
                CheckLabels(labels, [B, T]);
                return (logits, functional.cross_entropy(logits.reshape(-1, NumLabels), labels.reshape(-1)));
            }
            default:
                return (null, null);
        }
    }

    /// <summary>
    /// Additive attention mask (B, 1, T', P + Tpast + T'): 0 where a query may attend, the dtype's most negative value
    /// elsewhere (not -inf, so a fully masked padding row gives finite values instead of NaN).
    /// </summary>
    Tensor AdditiveMask(Tensor mask, Tensor? pastMask, long prefixLength, ScalarType dtype)
    {
        long B = mask.shape[0], T = mask.shape[1];
        var keys = pastMask is null ? mask : cat([pastMask, mask], 1);                    // (B, Tk)
        long Tk = keys.shape[1];
        var allowed = keys.to(@bool).view(B, 1, 1, Tk).expand(B, 1, T, Tk);               // (B, 1, T, Tk)
        if (Config.Kind == ModelKind.Decoder)
        {
            // Query i sits at key index Tk - T + i and sees keys up to there.
            var causal = ones(T, Tk, @bool, mask.device).tril(Tk - T);                    // (T, Tk)
            allowed = allowed.logical_and(causal);
        }
        if (prefixLength > 0)
            allowed = cat([ones(B, 1, T, prefixLength, @bool, mask.device), allowed], 3); // (B, 1, T, P+Tk)
        return zeros(allowed.shape, dtype, mask.device).masked_fill(allowed.logical_not(), MostNegative(dtype));
    }

    static double MostNegative(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => double.MinValue,
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        _ => float.MinValue,
    };

    static void CheckIds(Tensor ids, Tensor? mask)
    {
        if (ids.dim() != 2 || ids.dtype != int64)
            throw new ArgumentException($"InputIds must be a (B, T) int64 tensor; got {ids.dtype} of shape ({string.Join(", ", ids.shape)}).");
        if (mask is not null && !mask.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"AttentionMask has shape ({string.Join(", ", mask.shape)}) but InputIds has ({string.Join(", ", ids.shape)}); they must match.");
    }

    void CheckTransform(Tensor embeds, Tensor mask, Tensor realIndex, long B, long T)
    {
        if (embeds.dim() != 3 || embeds.shape[0] != B || embeds.shape[2] != Config.HiddenSize)
            throw new InvalidOperationException($"IInputTransform returned embeddings of shape ({string.Join(", ", embeds.shape)}); expected (B={B}, T', d={Config.HiddenSize}).");
        if (!mask.shape.SequenceEqual([B, embeds.shape[1]]))
            throw new InvalidOperationException($"IInputTransform returned a mask of shape ({string.Join(", ", mask.shape)}); expected (B, T') = ({B}, {embeds.shape[1]}).");
        if (!realIndex.shape.SequenceEqual([B, T]))
            throw new InvalidOperationException($"IInputTransform.RealTokenIndex returned shape ({string.Join(", ", realIndex.shape)}); expected (B, T) = ({B}, {T}).");
    }

    void CheckLogitPositions(Tensor positions, Tensor? labels, long B)
    {
        if (Head is not (HeadKind.LanguageModel or HeadKind.MaskedLanguageModel))
            throw new ArgumentException($"LogitPositions picks where a language-model head runs; this model's head is {Head}. Leave it null.");
        if (labels is not null)
            throw new ArgumentException("LogitPositions returns (B, V) logits at one position per row and computes no loss; pass Labels or LogitPositions, not both.");
        if (positions.dtype != int64 || !positions.shape.SequenceEqual([B]))
            throw new ArgumentException($"LogitPositions must be int64 of shape ({B}) — one position per row; got {positions.dtype} ({string.Join(", ", positions.shape)}).");
    }

    static void CheckLabels(Tensor labels, long[] shape)
    {
        if (!labels.shape.SequenceEqual(shape) || labels.dtype != int64)
            throw new ArgumentException($"Labels must be int64 of shape ({string.Join(", ", shape)}) for this head; got {labels.dtype} ({string.Join(", ", labels.shape)}).");
    }
}
