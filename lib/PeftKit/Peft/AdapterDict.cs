using static TorchSharp.torch.nn;

namespace PeftKit;

/// <summary>
/// Named submodules, one per adapter, registered so that their parameters are named <c>{field}.{adapter}.…</c>
/// (as the reference library's ModuleDict does). TorchSharp's ModuleDict registers only at construction, so adapters
/// added later need this.
/// </summary>
internal sealed class AdapterDict<T> : Module where T : Module
{
    readonly Dictionary<string, T> _items = [];

    public AdapterDict() : base("AdapterDict") { }

    public T this[string name] => _items[name];

    public IEnumerable<string> Keys => _items.Keys;

    public int Count => _items.Count;

    public bool Contains(string name) => _items.ContainsKey(name);

    public void Add(string name, T module)
    {
        _items.Add(name, module);
        register_module(name, module);
    }

    public void Remove(string name)
    {
        if (_items.Remove(name, out var m)) { register_module(name, null!); m.Dispose(); }
    }
}
