using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// What every attention layer of one forward pass shares: the additive masks, the prefix provider and the cache.
/// Holds the one piece of attention math both layouts use (<see cref="Attend"/>).
/// </summary>
internal sealed class AttentionContext(Tensor mask, Tensor? prefixMask, IPrefixProvider? prefix, KvCache? cache)
{
    /// <summary>Additive mask (B, 1, T, Tk): 0 where a query may look, the dtype's minimum elsewhere.</summary>
    public Tensor Mask { get; } = mask;

    /// <summary>Softmax attention of q over [prefix; cached; new] keys. q, k, v: (B, nh, T, hs) → (B, nh, T, hs).</summary>
    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v, double dropout)
    {
        if (cache is not null) (k, v) = cache.Append(layer, k, v);                      // (B, nh, Tpast+T, hs)
        var mask = Mask;
        if (prefix?.ForLayer(layer, (int)q.shape[0]) is { } p)
        {
            CheckPrefix(layer, p.key, q, "key");
            CheckPrefix(layer, p.value, q, "value");
            k = cat([p.key.to(k.dtype), k], 2);                                           // (B, nh, P+Tk, hs)
            v = cat([p.value.to(v.dtype), v], 2);
            mask = prefixMask!;                                                           // (B, 1, T, P+Tk)
        }
        return nn.functional.scaled_dot_product_attention(q, k, v, mask, dropout);     // (B, nh, T, hs)
    }

    void CheckPrefix(int layer, Tensor t, Tensor q, string what)
    {
        long[] want = [q.shape[0], q.shape[1], prefix!.Length, q.shape[3]];
        if (!t.shape.SequenceEqual(want))
            throw new InvalidOperationException(
                $"Prefix {what} for layer {layer} has shape ({string.Join(", ", t.shape)}) but the model needs (B, nh, P, hs) = ({string.Join(", ", want)}); " +
                "IPrefixProvider.Length and the head layout must match the model.");
    }
}
