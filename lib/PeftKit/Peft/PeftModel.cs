using System.Runtime.CompilerServices;
using PeftKit.IO;
using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit;

/// <summary>
/// A <see cref="TransformerModel"/> with one or more named PEFT adapters, one of them active. Only the active adapter's
/// tensors (and the task head where its method says so) have <c>requires_grad</c>; give <see cref="TrainableParameters"/>
/// to the optimizer. Parameters are named <c>base_model.{module path}</c> and <c>prompt_encoder.{adapter}.…</c>.
/// Create one with <see cref="Peft.Apply"/>.
/// </summary>
public sealed class PeftModel : Module<ModelInput, ModelOutput>
{
    static readonly ConditionalWeakTable<TransformerModel, PeftModel> Wrapped = [];

    readonly TransformerModel base_model;
    readonly AdapterDict<Module> prompt_encoder;
    readonly List<PeftAdapter> _adapters = [];
    readonly Dictionary<string, BaseOverlay> _heads = [];   // each adapter's own copy of a trained head (the reference library's modules_to_save)
    string? _active;
    int _disabled;
    bool _unloaded;

    /// <summary>Whether a live PeftModel wraps <paramref name="model"/> (Peft.Apply / Load ran and MergeAndUnload did not).</summary>
    internal static bool IsWrapped(TransformerModel model) => Wrapped.TryGetValue(model, out _);

    internal PeftModel(TransformerModel model) : base(nameof(PeftModel))
    {
        if (IsWrapped(model))
            throw new InvalidOperationException(
                "This TransformerModel already has PEFT adapters (Peft.Apply was called on it before). Add more with peftModel.AddAdapter(name, config), or apply to a fresh model.");
        if (model.InputTransform is not null || model.Prefix is not null)
            throw new InvalidOperationException("The model already has an InputTransform or Prefix set outside PeftKit; clear them before applying a PEFT method.");
        base_model = model;
        prompt_encoder = new AdapterDict<Module>();
        RegisterComponents();
        Wrapped.Add(model, this);
    }

    /// <summary>The wrapped model (its modules now include the adapters' modules).</summary>
    public TransformerModel Base { get { ThrowIfUnloaded(); return base_model; } }

    /// <summary>The active adapter's name.</summary>
    public string ActiveAdapter => _active ?? throw new InvalidOperationException("The model has no adapter.");

    /// <summary>All adapter names, in the order they were added.</summary>
    public IReadOnlyList<string> AdapterNames => [.. _adapters.Select(a => a.Name)];

    /// <summary>Whether adapters are currently disabled by <see cref="DisableAdapters"/>.</summary>
    public bool AdaptersDisabled => _disabled > 0;

    /// <summary>The configuration of adapter <paramref name="name"/> (the active one when null).</summary>
    public PeftConfig ConfigOf(string? name = null) => Get(name ?? ActiveAdapter).Config;

    /// <summary>Runs the base model with the active adapter (or none inside <see cref="DisableAdapters"/>).</summary>
    public override ModelOutput forward(ModelInput input)
    {
        ThrowIfUnloaded();
        return base_model.forward(input);
    }

    /// <summary>
    /// Adds adapter <paramref name="name"/> of <paramref name="config"/>'s method. The first adapter becomes active;
    /// later ones wait for <see cref="SetActiveAdapter"/>. All adapters of one model use the same method.
    /// </summary>
    public void AddAdapter(string name, PeftConfig config)
    {
        ThrowIfUnloaded();
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"Adapter name '{name}' must be non-empty and contain no dots (it becomes a parameter-name segment).", nameof(name));
        if (_adapters.Any(a => a.Name == name))
            throw new ArgumentException($"The model already has an adapter named '{name}'; pick another name or DeleteAdapter(\"{name}\") first.", nameof(name));
        if (_adapters.FirstOrDefault(a => a.Config.PeftType != config.PeftType) is { } other)
            throw new NotSupportedException(
                $"Unsupported combination: the model holds {other.Config.PeftType} adapter '{other.Name}', and adapters of different methods ({config.PeftType}) cannot be stacked on one PeftModel. Apply {config.PeftType} to a fresh model.");
        if (_adapters.Any(a => a.IsMerged)) throw new InvalidOperationException("Unmerge() before adding adapters.");
        SetEnabledAll(activeName: null);   // methods that overlay base tensors record the true base values
        var adapter = config.CreateAdapter(this, name);
        _adapters.Add(adapter);
        if (HeadTrains(config))
            _heads[name] = new BaseOverlay(named_parameters().Where(p => IsHeadParameter(p.name) && !adapter.Owns(p.name)));
        train(base_model.training);   // new modules (LoRA dropout, encoders) follow the model's train/eval mode
        _active ??= name;
        ApplyState();
    }

    /// <summary>Makes <paramref name="name"/> the adapter that runs and trains.</summary>
    public void SetActiveAdapter(string name)
    {
        ThrowIfUnloaded();
        Get(name);
        if (_adapters.Any(a => a.IsMerged)) throw new InvalidOperationException($"Adapter '{_active}' is merged; Unmerge() before switching adapters.");
        _active = name;
        ApplyState();
    }

    /// <summary>Removes adapter <paramref name="name"/> and its modules; the first remaining one becomes active if it was.</summary>
    public void DeleteAdapter(string name)
    {
        ThrowIfUnloaded();
        var a = Get(name);
        if (a.IsMerged) throw new InvalidOperationException($"Adapter '{name}' is merged; Unmerge() before deleting it.");
        SetEnabledAll(activeName: null);
        a.Remove();
        if (_heads.Remove(name, out var head)) head.Dispose();
        _adapters.Remove(a);
        if (_active == name) _active = _adapters.FirstOrDefault()?.Name;
        ApplyState();
    }

    /// <summary>
    /// Runs the plain base model until the returned scope is disposed: <c>using (model.DisableAdapters()) { … }</c>.
    /// Methods that train base tensors (BitFit, adapter LayerNorms) swap the original values back in meanwhile.
    /// </summary>
    public IDisposable DisableAdapters()
    {
        ThrowIfUnloaded();
        if (_adapters.FirstOrDefault(a => a.IsMerged) is { } m)
            throw new InvalidOperationException($"Adapter '{m.Name}' is merged into the base weights, so it cannot be disabled; Unmerge() first.");
        _disabled++;
        ApplyState();
        return new Scope(this);
    }

    /// <summary>Folds the active adapter into the base weights (LoRA, IA3): zero extra latency, exactly reversible by <see cref="Unmerge"/>.</summary>
    public void Merge()
    {
        ThrowIfUnloaded();
        if (AdaptersDisabled) throw new InvalidOperationException("Adapters are disabled; merge outside the DisableAdapters() scope.");
        var a = Get(ActiveAdapter);
        if (!a.IsMerged) a.Merge();
    }

    /// <summary>Restores the base weights saved by <see cref="Merge"/> bit for bit.</summary>
    public void Unmerge()
    {
        ThrowIfUnloaded();
        var a = Get(ActiveAdapter);
        if (a.IsMerged) a.Unmerge();
    }

    /// <summary>
    /// Merges the active adapter and returns the base model with every adapter module removed (its parameters
    /// trainable again). This PeftModel cannot be used afterwards.
    /// </summary>
    public TransformerModel MergeAndUnload()
    {
        ThrowIfUnloaded();
        Merge();
        var active = Get(ActiveAdapter);
        foreach (var a in _adapters.Where(a => a != active)) { a.SetEnabled(false); a.Remove(); }
        foreach (var (n, h) in _heads) { if (n == active.Name) h.Release(); else h.Dispose(); }   // the active adapter's head stays
        _heads.Clear();
        active.Unload();
        _adapters.Clear();
        foreach (var p in base_model.parameters()) p.requires_grad = true;
        _unloaded = true;
        Wrapped.Remove(base_model);
        return base_model;
    }

    /// <summary>Gives the model back when the first adapter could not be added: it can be wrapped again. This PeftModel cannot be used afterwards.</summary>
    internal void Release()
    {
        if (_adapters.Count > 0) return;
        _unloaded = true;
        Wrapped.Remove(base_model);
    }

    /// <summary>Drops the active adapter's reparameterisation network (prefix MLP, P-Tuning encoder), keeping the prompts it produces.</summary>
    public void Consolidate()
    {
        ThrowIfUnloaded();
        Get(ActiveAdapter).Consolidate();
        ApplyState();
    }

    /// <summary>The parameters that train (the active adapter's, plus the head where its method says so).</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>Trainable and total parameter counts (adapter parameters included in the total) and a per-module table.</summary>
    public ParameterReport Report() => ParameterReport.Of(this);

    /// <summary>
    /// Saves adapter <paramref name="name"/> (the active one when null) as <c>adapter_config.json</c> +
    /// <c>adapter_model.safetensors</c> holding only the method's tensors (and the head where it trains), under the
    /// reference library's keys. Prompt methods store the produced prompts/prefixes, never the reparameterisation network.
    /// </summary>
    public void SaveAdapter(string directory, string? name = null)
    {
        ThrowIfUnloaded();
        var a = Get(name ?? ActiveAdapter);
        Directory.CreateDirectory(directory);
        var state = a.StateToSave();
        var owned = new List<Tensor>();
        try
        {
            using (no_grad())
                foreach (var (key, t) in state.ToList()) { var c = t.detach().clone(); owned.Add(c); state[key] = c; }
            foreach (var (key, t) in HeadState(a)) state[key] = t;
            File.WriteAllText(Path.Combine(directory, AdapterFileNames.Config), a.Config.ToJson(TaskType()));
            Safetensors.Save(Path.Combine(directory, AdapterFileNames.Weights), state.Select(kv => KeyValuePair.Create(AdapterKeys.ToFile(kv.Key, base_model), kv.Value)), new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
    }

    /// <summary>
    /// Loads an adapter saved by <see cref="SaveAdapter"/> (or by the reference library, for the methods both have)
    /// as <paramref name="name"/> and makes it active. Every tensor must be present with the right shape: a mismatch
    /// throws naming the tensor and both shapes, and leaves the model without the half-loaded adapter.
    /// </summary>
    public void LoadAdapter(string directory, string name = "default")
    {
        var configPath = Path.Combine(directory, AdapterFileNames.Config);
        var weightsPath = Path.Combine(directory, AdapterFileNames.Weights);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"No {AdapterFileNames.Config} in '{directory}'; is it a saved adapter directory?", configPath);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"No {AdapterFileNames.Weights} in '{directory}'.", weightsPath);
        var config = PeftConfig.FromJson(File.ReadAllText(configPath));
        var previous = _adapters.Count > 0 ? _active : null;
        AddAdapter(name, config);
        try
        {
            SetActiveAdapter(name);
            var a = Get(name);
            a.PrepareForLoad();
            ApplyState();
            var targets = a.LoadTargets();
            foreach (var (key, p) in HeadTargets(a)) targets[key] = LoadTarget.Into(p);
            var (raw, _) = Safetensors.Load(weightsPath);
            var tensors = new Dictionary<string, Tensor>();
            foreach (var (k, t) in raw)
                if (!tensors.TryAdd(AdapterKeys.Canonical(k), t))
                    throw new InvalidDataException($"'{weightsPath}' holds '{k}' twice (with and without the transformer./bert. prefix).");
            try
            {
                var missing = targets.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
                var unexpected = tensors.Keys.Where(k => !targets.ContainsKey(k)).ToList();
                if (missing.Count > 0 || unexpected.Count > 0)
                    throw new InvalidDataException(
                        $"The adapter in '{directory}' does not fit this model's {config.PeftType} adapter" +
                        (missing.Count > 0 ? $"; missing tensors: {string.Join(", ", missing)}" : "") +
                        (unexpected.Count > 0 ? $"; unexpected tensors: {string.Join(", ", unexpected)}" : "") +
                        ". Was it saved from a model with other target modules or a different head?");
                foreach (var (key, p) in targets)
                    if (!tensors[key].shape.SequenceEqual(p.Shape))
                        throw new InvalidDataException(
                            $"Adapter tensor '{key}' in '{weightsPath}' has shape [{string.Join(", ", tensors[key].shape)}] but this model expects [{string.Join(", ", p.Shape)}]. " +
                            "The adapter was saved from a model of another size or with another rank/length; use a matching base model or config.");
                using (no_grad())
                    foreach (var (key, p) in targets) p.Assign(tensors[key]);
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
        catch
        {
            DeleteAdapter(name);
            if (previous is not null) SetActiveAdapter(previous);
            throw;
        }
    }

    internal TransformerModel BaseModel => base_model;

    internal void AddPromptModule(string name, Module module) => prompt_encoder.Add(name, module);

    internal void RemovePromptModule(string name) => prompt_encoder.Remove(name);

    internal bool HeadTrains(PeftConfig config) =>
        config.TrainHead ?? base_model.Head is HeadKind.SequenceClassification or HeadKind.TokenClassification;

    internal static bool IsHeadParameter(string name) =>
        name.StartsWith("base_model.score.", StringComparison.Ordinal) || name.StartsWith("base_model.classifier.", StringComparison.Ordinal);

    IEnumerable<(string key, Parameter p)> HeadTargets(PeftAdapter a) => HeadTrains(a.Config)
        ? named_parameters().Where(p => IsHeadParameter(p.name) && !a.Owns(p.name)).Select(p => ("base_model.model." + p.name["base_model.".Length..], p.parameter))
        : [];

    IEnumerable<(string key, Tensor value)> HeadState(PeftAdapter a) => _heads.TryGetValue(a.Name, out var overlay)
        ? overlay.Names.Select(n => ("base_model.model." + n["base_model.".Length..], overlay.Current(n)))
        : [];

    string? TaskType() => base_model.Head switch
    {
        HeadKind.LanguageModel => "CAUSAL_LM",
        HeadKind.SequenceClassification => "SEQ_CLS",
        HeadKind.TokenClassification => "TOKEN_CLS",
        HeadKind.None => "FEATURE_EXTRACTION",
        _ => null,
    };

    PeftAdapter Get(string name) => _adapters.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"No adapter named '{name}'. Adapters: {(_adapters.Count == 0 ? "none" : string.Join(", ", _adapters.Select(a => a.Name)))}.", nameof(name));

    void SetEnabledAll(string? activeName)
    {
        foreach (var a in _adapters) if (a.Name != activeName) { a.SetEnabled(false); if (_heads.TryGetValue(a.Name, out var h)) h.Apply(false); }
        foreach (var a in _adapters) if (a.Name == activeName) { a.SetEnabled(true); if (_heads.TryGetValue(a.Name, out var h)) h.Apply(true); }
    }

    /// <summary>Enables the active adapter (unless disabled) and sets requires_grad: its tensors and maybe the head train, nothing else.</summary>
    void ApplyState()
    {
        SetEnabledAll(_disabled > 0 ? null : _active);
        var active = _active is null ? null : Get(_active);
        bool head = active is not null && HeadTrains(active.Config);
        foreach (var (name, p) in named_parameters())
            p.requires_grad = active is not null && (active.Owns(name) || (head && IsHeadParameter(name)));
    }

    void ThrowIfUnloaded()
    {
        if (_unloaded) throw new InvalidOperationException("MergeAndUnload() has returned the base model; this PeftModel can no longer be used.");
    }

    sealed class Scope(PeftModel model) : IDisposable
    {
        bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            model._disabled--;
            if (!model._unloaded) model.ApplyState();
        }
    }
}
