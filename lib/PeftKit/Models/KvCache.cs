using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// Keys and values of the tokens a decoder has already seen, per layer, so generation feeds one new token per step.
/// Prefix keys/values (<see cref="IPrefixProvider"/>) are not stored: the model asks the provider again each step
/// and prepends them, so a cache and a prefix compose. Owns its tensors; dispose it when generation ends.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly (Tensor key, Tensor value)?[] _layers;
    Tensor? _mask;

    /// <summary>An empty cache for a model with <paramref name="numLayers"/> blocks.</summary>
    public KvCache(int numLayers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        _layers = new (Tensor, Tensor)?[numLayers];
    }

    /// <summary>Number of cached positions (virtual tokens from an input transform included).</summary>
    public long Length => _mask?.shape[1] ?? 0;

    /// <summary>(B, Tpast) int64 attention mask of the cached positions; null while empty.</summary>
    internal Tensor? Mask => _mask;

    /// <summary>Cached (key, value) of <paramref name="layer"/>, each (B, nh, Tpast, hs); null while empty.</summary>
    internal (Tensor key, Tensor value)? Layer(int layer) => _layers[layer];

    /// <summary>Appends this step's keys/values (B, nh, T, hs) for <paramref name="layer"/> and returns all of them (B, nh, Tpast+T, hs).</summary>
    internal (Tensor key, Tensor value) Append(int layer, Tensor key, Tensor value)
    {
        var old = _layers[layer];
        var k = old is { } o ? cat([o.key, key], 2) : key.alias();    // (B, nh, Tpast+T, hs)
        var v = old is { } p ? cat([p.value, value], 2) : value.alias();
        k.DetachFromDisposeScope();
        v.DetachFromDisposeScope();
        if (old is { } d) { d.key.Dispose(); d.value.Dispose(); }
        _layers[layer] = (k, v);
        return (k, v);
    }

    /// <summary>Appends this step's attention mask (B, T) after all layers ran.</summary>
    internal void AppendMask(Tensor mask)
    {
        var m = _mask is null ? mask.clone() : cat([_mask, mask], 1);  // (B, Tpast+T)
        m.DetachFromDisposeScope();
        _mask?.Dispose();
        _mask = m;
    }

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i] is { } kv) { kv.key.Dispose(); kv.value.Dispose(); }
            _layers[i] = null;
        }
        _mask?.Dispose();
        _mask = null;
    }
}
