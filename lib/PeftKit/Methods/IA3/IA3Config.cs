using System.Text.Json.Nodes;
using PeftKit.Models;

namespace PeftKit.Methods.IA3;

/// <summary>
/// (IA)³ (Liu et al. 2022): learned vectors, initialised to ones, that rescale the keys and values of every attention
/// layer and the activation entering each feed-forward down projection. Parameters per layer: 2d + d_ff.
/// </summary>
public sealed record IA3Config : PeftConfig
{
    /// <summary>Creates a configuration; null selectors pick keys, values and FFN down projections of the kit's layouts.</summary>
    public IA3Config(TargetModules? targetModules = null, TargetModules? feedforwardModules = null)
    {
        if ((targetModules is null) != (feedforwardModules is null))
            throw new ArgumentException("Give both targetModules and feedforwardModules (the feed-forward ones must be among the targets), or neither for the defaults.");
        TargetModules = targetModules;
        FeedforwardModules = feedforwardModules;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("ia3", "IA3", typeof(IA3Config), Read,
        _ => new IA3Config(), LearningRate: 1e-2, Mergeable: true);

    /// <summary>Modules whose output (or, for feed-forward ones, input) is rescaled; null = the defaults for the model's layout.</summary>
    public TargetModules? TargetModules { get; }

    /// <summary>Targets whose input is rescaled (the FFN down projection); the others have their output rescaled.</summary>
    public TargetModules? FeedforwardModules { get; }

    /// <summary>
    /// GPT-2: the key and value thirds of <c>attn.c_attn</c> (the query third stays unscaled) and the input of <c>mlp.c_proj</c>;
    /// BERT: <c>attention.self.key</c>, <c>attention.self.value</c> and the input of the layer's <c>output.dense</c>.
    /// </summary>
    public static (TargetModules targets, TargetModules feedforward) Defaults(ModelKind kind) => kind == ModelKind.Decoder
        ? (TargetModules.Regex(@"h\.\d+\.(attn\.c_attn|mlp\.c_proj)"), TargetModules.Regex(@"h\.\d+\.mlp\.c_proj"))
        : (TargetModules.Regex(@"encoder\.layer\.\d+\.(attention\.self\.(key|value)|output\.dense)"), TargetModules.Regex(@"encoder\.layer\.\d+\.output\.dense"));

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new IA3Adapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["target_modules"] = TargetModules is null ? null : PeftConfigJson.Write(TargetModules);
        o["feedforward_modules"] = FeedforwardModules is null ? null : PeftConfigJson.Write(FeedforwardModules);
        o["fan_in_fan_out"] = false;
        o["init_ia3_weights"] = true;
        o["modules_to_save"] = null;
    }

    internal static IA3Config Read(JsonObject o) => o["target_modules"] is null
        ? new IA3Config()
        : new IA3Config(PeftConfigJson.ReadTargets(o, "target_modules"), PeftConfigJson.ReadTargets(o, "feedforward_modules"));
}
