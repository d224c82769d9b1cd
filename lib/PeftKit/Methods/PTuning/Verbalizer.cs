using PeftKit.Models;
using static TorchSharp.torch;

namespace PeftKit.Methods.PTuning;

/// <summary>
/// Maps classes to label words: the class score is the masked-LM logit of the class's word at the [MASK] position
/// ("The capital of Britain is [MASK]" → "London").
/// </summary>
public sealed class Verbalizer
{
    readonly long[] _words;

    /// <summary>One single-token label word per class, in class order.</summary>
    public Verbalizer(IReadOnlyList<long> labelTokenIds)
    {
        if (labelTokenIds is not { Count: >= 2 }) throw new ArgumentException("A verbalizer needs at least two label words (one token id per class).", nameof(labelTokenIds));
        if (labelTokenIds.Distinct().Count() != labelTokenIds.Count) throw new ArgumentException("Label words must be distinct tokens.", nameof(labelTokenIds));
        _words = [.. labelTokenIds];
    }

    /// <summary>The label word ids.</summary>
    public IReadOnlyList<long> LabelTokenIds => _words;

    /// <summary>mlmLogits (B, T, V), inputIds (B, T) with exactly one [MASK] per row → class logits (B, C).</summary>
    public Tensor Logits(Tensor mlmLogits, Tensor inputIds, long maskTokenId) => At(mlmLogits, MaskPositions(inputIds, maskTokenId));

    /// <summary>
    /// A decoder's LM logits (B, T, V) and attention mask (B, T), left- or right-padded → class logits (B, C) read at each
    /// row's last real token: its next-token distribution is the label word's.
    /// </summary>
    public Tensor LogitsAtLastToken(Tensor lmLogits, Tensor attentionMask) => At(lmLogits, TokenPositions.LastReal(attentionMask));

    /// <summary>Logits already taken at one position per row (B, V), e.g. with <c>ModelInput.LogitPositions</c> → class logits (B, C).</summary>
    public Tensor Select(Tensor logitsAtPosition)
    {
        using var words = tensor(_words, int64, logitsAtPosition.device);
        return logitsAtPosition.index_select(1, words);                               // (B, V) → (B, C)
    }

    /// <summary>inputIds (B, T) with exactly one [MASK] per row → the [MASK] position of each row (B).</summary>
    public static Tensor MaskPositions(Tensor inputIds, long maskTokenId)
    {
        var isMask = inputIds.eq(maskTokenId);                                        // (B, T)
        using (var n = isMask.sum(1))
            if (!n.eq(1).all().item<bool>())
                throw new ArgumentException($"Every row needs exactly one [MASK] (id {maskTokenId}); got counts [{string.Join(", ", n.data<long>().ToArray())}].");
        return isMask.to(int64).argmax(1);                                             // (B)
    }

    Tensor At(Tensor logits, Tensor positions)
    {
        long B = logits.shape[0];
        return Select(logits[arange(B, device: logits.device), positions]);          // (B, T, V) → (B, V) → (B, C)
    }
}
