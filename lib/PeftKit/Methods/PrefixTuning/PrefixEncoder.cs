using PeftKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.PrefixTuning;

/// <summary>
/// Produces per-layer key/value prefixes P (n, |layers|·2·d), laid out as the reference library's past_key_values:
/// for the j-th prefixed layer, key = P[:, 2j·d : (2j+1)·d] and value the next d columns, each split into heads.
/// Reparameterised: P = transform(embedding) with Embedding(n, d) → Linear(d, k) → Tanh → Linear(k, |layers|·2·d);
/// after <see cref="Consolidate"/> (or without reparameterisation) P is the parameter <c>prefix</c> itself.
/// </summary>
public sealed class PrefixEncoder : Module, IPrefixProvider
{
    Embedding? embedding;          // (n, d)
    Sequential? transform;         // d → k → |layers|·2·d
    Parameter? prefix;             // (n, |layers|·2·d)
    readonly int[] _layers;
    readonly int _heads, _width;

    /// <summary>A prefix of <paramref name="length"/> positions for <paramref name="layers"/> of a model shaped like <paramref name="config"/>.</summary>
    public PrefixEncoder(TransformerConfig config, int length, IReadOnlyList<int> layers, int? reparameterizationHidden) : base(nameof(PrefixEncoder))
    {
        Length = length;
        _layers = [.. layers];
        _heads = config.NumHeads;
        _width = config.HiddenSize;
        long outWidth = 2L * _layers.Length * _width;
        if (reparameterizationHidden is { } k)
        {
            embedding = Embedding(length, _width);
            transform = Sequential(("0", Linear(_width, k)), ("1", Tanh()), ("2", Linear(k, outWidth)));
        }
        else
        {
            prefix = new Parameter(randn(length, outWidth));   // N(0, 1), as nn.Embedding in the reference implementations
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int Length { get; }

    /// <summary>The layers that get a prefix.</summary>
    public IReadOnlyList<int> Layers => _layers;

    /// <summary>Whether the reparameterisation network is still there.</summary>
    public bool IsReparameterized => transform is not null;

    /// <summary>The prefix tensor P (n, |layers|·2·d), through the MLP while reparameterised.</summary>
    public Tensor Produce() => transform is not null ? transform.call(embedding!.weight!) : prefix!;

    /// <inheritdoc/>
    public (Tensor key, Tensor value)? ForLayer(int layer, int batchSize)
    {
        int j = Array.IndexOf(_layers, layer);
        if (j < 0) return null;
        long hs = _width / _heads;
        var p = Produce().view(Length, 2 * _layers.Length, _heads, hs);                 // (n, 2·|layers|, nh, hs)
        var k = p[.., 2 * j].permute(1, 0, 2).unsqueeze(0).expand(batchSize, -1, -1, -1);     // (B, nh, n, hs)
        var v = p[.., 2 * j + 1].permute(1, 0, 2).unsqueeze(0).expand(batchSize, -1, -1, -1); // (B, nh, n, hs)
        return (k, v);
    }

    /// <summary>Replaces the MLP by its output: P becomes the parameter <c>prefix</c>; embedding and transform are dropped.</summary>
    public void Consolidate()
    {
        if (transform is null) return;
        Tensor produced;
        using (no_grad()) produced = Produce().detach().clone();
        register_module(nameof(embedding), null!);
        register_module(nameof(transform), null!);
        embedding!.Dispose();
        transform.Dispose();
        embedding = null;
        transform = null;
        prefix = new Parameter(produced);
        register_parameter(nameof(prefix), prefix);
    }

    /// <summary>Sets the directly parameterised prefix P (n, |layers|·2·d) to <paramref name="values"/>.</summary>
    internal void Initialize(Tensor values)
    {
        if (prefix is null) throw new InvalidOperationException("Only a directly parameterised prefix can be initialised from values.");
        using var _ = no_grad();
        prefix.copy_(values.to(prefix.dtype, prefix.device));
    }

    internal Parameter PrefixParameter => prefix ?? throw new InvalidOperationException("Consolidate() first.");
}
