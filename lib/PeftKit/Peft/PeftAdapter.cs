using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit;

/// <summary>
/// One named instance of a method on a <see cref="PeftModel"/>. Methods subclass it; the model drives it
/// (enable/disable, which parameters train, what is saved). Parameter names are those of
/// <see cref="PeftModel"/>.named_parameters(): <c>base_model.{module path}.{param}</c> and <c>prompt_encoder.{adapter}.…</c>.
/// </summary>
public abstract class PeftAdapter
{
    /// <summary>Binds the adapter to its model.</summary>
    protected PeftAdapter(PeftModel model, string name, PeftConfig config)
    {
        Model = model;
        Name = name;
        Config = config;
    }

    /// <summary>The adapter's name on its model ("default" unless given).</summary>
    public string Name { get; }

    /// <summary>The configuration it was created from.</summary>
    public PeftConfig Config { get; }

    /// <summary>The model it lives on.</summary>
    protected PeftModel Model { get; }

    /// <summary>The wrapped base model.</summary>
    protected TransformerModel Base => Model.Base;

    /// <summary>The parameter-name prefix of methods that inject modules (<c>lora_</c>, <c>ia3_</c>, <c>adapter_</c>); null otherwise.</summary>
    protected virtual string? ParameterPrefix => null;

    /// <summary>Whether <paramref name="parameterName"/> is one of this method's trainable tensors.</summary>
    internal abstract bool Owns(string parameterName);

    /// <summary>Switches the method on (it is the active adapter and adapters are not disabled) or off.</summary>
    internal abstract void SetEnabled(bool enabled);

    /// <summary>Removes the method's modules from the model.</summary>
    internal abstract void Remove();

    /// <summary>The tensors of a saved adapter, under the reference library's keys (<c>base_model.model.…</c>).</summary>
    internal virtual Dictionary<string, Tensor> StateToSave() =>
        OwnedParameters().ToDictionary(p => SavedKey(p.name), p => (Tensor)p.parameter);

    /// <summary>Where each saved key is loaded to (called after <see cref="PrepareForLoad"/>).</summary>
    internal virtual Dictionary<string, LoadTarget> LoadTargets() =>
        OwnedParameters().ToDictionary(p => SavedKey(p.name), p => LoadTarget.Into(p.parameter));

    /// <summary>Puts the adapter in the form a saved file describes (e.g. drops a reparameterisation network).</summary>
    internal virtual void PrepareForLoad() { }

    /// <summary>Folds the method into the base weights; throws for methods that cannot.</summary>
    internal virtual void Merge() => throw NotMergeable();

    /// <summary>Undoes <see cref="Merge"/> exactly.</summary>
    internal virtual void Unmerge() => throw NotMergeable();

    /// <summary>Whether the method is merged into the base weights.</summary>
    internal virtual bool IsMerged => false;

    /// <summary>After <see cref="Merge"/>: puts the original modules back (the merged weights stay).</summary>
    internal virtual void Unload() => throw NotMergeable();

    /// <summary>Drops the training-only reparameterisation (prefix MLP, P-Tuning prompt encoder), keeping its outputs.</summary>
    internal virtual void Consolidate() => throw new NotSupportedException(
        $"{Config.PeftType} has no reparameterisation network to consolidate; Consolidate() applies to prefix tuning, P-Tuning and P-Tuning v2 with reparameterisation.");

    /// <summary>This adapter's parameters, by model name.</summary>
    protected IEnumerable<(string name, Parameter parameter)> OwnedParameters() =>
        Model.named_parameters().Where(p => Owns(p.name));

    /// <summary>
    /// The naming rule of methods that inject modules (loralib's single prefix): a parameter belongs to adapter
    /// <paramref name="adapter"/> of the method with prefix <paramref name="prefix"/> when a segment of its name starts with
    /// the prefix and the next segment is the adapter name (<c>h.0.attn.c_attn.lora_A.default.weight</c>).
    /// </summary>
    protected internal static bool HasPrefixedSegment(string parameterName, string prefix, string adapter)
    {
        var s = parameterName.Split('.');
        for (int i = 0; i + 1 < s.Length; i++)
            if (s[i].StartsWith(prefix, StringComparison.Ordinal) && s[i + 1] == adapter) return true;
        return false;
    }

    /// <summary>
    /// The saved key of a model parameter: <c>base_model.</c> becomes <c>base_model.model.</c> and the adapter-name
    /// segment is dropped (the reference library saves <c>…c_attn.lora_A.weight</c>, no adapter name).
    /// </summary>
    internal string SavedKey(string parameterName)
    {
        var s = parameterName.Split('.').ToList();
        if (s[0] != "base_model") throw new InvalidOperationException($"'{parameterName}' is not a base-model parameter; the method must override StateToSave.");
        if (ParameterPrefix is { } prefix)
            for (int i = 2; i < s.Count; i++)
                if (s[i] == Name && s[i - 1].StartsWith(prefix, StringComparison.Ordinal)) { s.RemoveAt(i); break; }
        s.Insert(1, "model");
        return string.Join('.', s);
    }

    NotSupportedException NotMergeable() => new(
        $"{Config.PeftType} cannot be merged into the base weights; Merge/Unmerge/MergeAndUnload apply to LoRA and IA3.");
}
