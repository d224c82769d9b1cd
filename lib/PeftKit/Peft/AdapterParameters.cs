using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace PeftKit;

/// <summary>Named parameters, one per adapter, named <c>{field}.{adapter}</c> (the reference library's ParameterDict).</summary>
internal sealed class AdapterParameters : Module
{
    readonly Dictionary<string, Parameter> _items = [];

    public AdapterParameters() : base("AdapterParameters") { }

    public Parameter this[string name] => _items[name];

    public bool Contains(string name) => _items.ContainsKey(name);

    public void Add(string name, Parameter p)
    {
        _items.Add(name, p);
        register_parameter(name, p);
    }

    public void Remove(string name)
    {
        if (_items.Remove(name, out var p)) { _internal_params.Remove(name); p.Dispose(); }
    }
}
