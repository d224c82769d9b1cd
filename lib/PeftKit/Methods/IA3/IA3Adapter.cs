using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Methods.IA3;

/// <summary>IA3 on a model: wraps each target module in an <see cref="IA3Linear"/>.</summary>
internal sealed class IA3Adapter : PeftAdapter
{
    readonly List<(string path, IA3Linear layer)> _layers = [];

    public IA3Adapter(PeftModel model, string name, IA3Config config) : base(model, name, config)
    {
        var (targets, feedforward) = config.TargetModules is null ? IA3Config.Defaults(Base.Config.Kind) : (config.TargetModules, config.FeedforwardModules!);
        var candidates = Candidates(Base);
        var picked = targets.Resolve(candidates, "IA3");
        var ff = feedforward.Resolve(candidates, "IA3 feed-forward modules");
        if (ff.FirstOrDefault(f => !picked.Contains(f)) is { } stray)
            throw new ArgumentException($"IA3: feed-forward module '{stray}' is not among the target modules {targets}; every feed-forward module must also be a target.");
        foreach (var path in picked)
        {
            var module = Base.GetSubmodule(path);
            if (module is not IA3Linear ia3)
            {
                bool fused = module is Conv1D && path.EndsWith("attn.c_attn", StringComparison.Ordinal);
                ia3 = new IA3Linear(module, fused);
                Base.ReplaceSubmodule(path, ia3);
            }
            ia3.AddAdapter(name, ff.Contains(path));
            _layers.Add((path, ia3));
        }
    }

    static IReadOnlyList<string> Candidates(TransformerModel model) =>
        [.. model.named_modules()
            .Where(m => m.module is Linear or Conv1D or IA3Linear)
            .Select(m => m.name)
            .Where(n => !n.Split('.').Any(s => s == "base_layer"))];

    protected override string? ParameterPrefix => "ia3_";

    internal override bool Owns(string parameterName) => HasPrefixedSegment(parameterName, "ia3_", Name);

    internal override void SetEnabled(bool enabled)
    {
        foreach (var (_, l) in _layers) l.SetEnabled(Name, enabled);
    }

    internal override void Remove()
    {
        foreach (var (path, l) in _layers)
        {
            l.RemoveAdapter(Name);
            if (l.IsEmpty) Base.ReplaceSubmodule(path, l.BaseLayer);
        }
        _layers.Clear();
    }

    string Key(string path) => $"base_model.model.{path}.ia3_l";

    /// <summary>The reference library's shapes: the fused c_attn vector is saved (3d, 1) with ones for the queries.</summary>
    internal override Dictionary<string, Tensor> StateToSave() => _layers.ToDictionary(
        l => Key(l.path),
        l => l.layer.FusedQkv ? l.layer.OutputScale(Name).unsqueeze(1) : (Tensor)l.layer.Vector(Name));

    internal override Dictionary<string, LoadTarget> LoadTargets() => _layers.ToDictionary(l => Key(l.path), l =>
    {
        var p = l.layer.Vector(Name);
        if (!l.layer.FusedQkv) return LoadTarget.Into(p);
        long d = l.layer.InFeatures;
        return new LoadTarget([3 * d, 1], v =>
        {
            using var q = v[..(int)d];
            if (!q.eq(1).all().item<bool>())
                throw new InvalidDataException(
                    $"'{Key(l.path)}' scales the query third of the fused c_attn too; this kit's IA3 scales only keys and values, as the paper defines it.");
            p.copy_(v[(int)d..].to(p.dtype, p.device));
        });
    });

    internal override bool IsMerged => _layers.Any(l => l.layer.Merged == Name);

    internal override void Merge()
    {
        foreach (var (_, l) in _layers) l.Merge(Name);
    }

    internal override void Unmerge()
    {
        foreach (var (_, l) in _layers) if (l.Merged == Name) l.Unmerge();
    }

    internal override void Unload()
    {
        foreach (var (path, l) in _layers) Base.ReplaceSubmodule(path, l.BaseLayer);
        _layers.Clear();
    }
}
