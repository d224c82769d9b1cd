using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit;

/// <summary>
/// For methods that train some of the base model's own tensors (BitFit's biases, the adapter method's LayerNorms):
/// keeps the original values and the adapter's values apart, so that disabling or switching adapters swaps the
/// originals back in and the base stays recoverable bit for bit.
/// </summary>
internal sealed class BaseOverlay : IDisposable
{
    readonly List<(string name, Parameter p, Tensor original, Tensor mine)> _items = [];
    bool _applied;

    /// <summary>Records the current values of <paramref name="parameters"/> (the base values: no adapter is enabled when this runs).</summary>
    public BaseOverlay(IEnumerable<(string name, Parameter p)> parameters)
    {
        using var _ = no_grad();
        foreach (var (name, p) in parameters) _items.Add((name, p, p.detach().clone(), p.detach().clone()));
    }

    /// <summary>The model parameter names covered.</summary>
    public IEnumerable<string> Names => _items.Select(i => i.name);

    /// <summary>Puts the adapter's values in (true) or the originals back (false), saving the adapter's values.</summary>
    public void Apply(bool on)
    {
        if (on == _applied) return;
        using var _ = no_grad();
        foreach (var (_, p, original, mine) in _items)
        {
            if (on) p.copy_(mine);
            else { mine.copy_(p); p.copy_(original); }
        }
        _applied = on;
    }

    /// <summary>The adapter's current value of parameter <paramref name="name"/> (live when applied, else the saved copy).</summary>
    public Tensor Current(string name)
    {
        var i = _items.First(i => i.name == name);
        return _applied ? i.p : i.mine;
    }

    /// <summary>Forgets the copies, leaving whatever values the model holds now (used when merging an adapter for good).</summary>
    public void Release()
    {
        foreach (var i in _items) { i.original.Dispose(); i.mine.Dispose(); }
        _items.Clear();
    }

    public void Dispose()
    {
        Apply(false);
        foreach (var i in _items) { i.original.Dispose(); i.mine.Dispose(); }
        _items.Clear();
    }
}
