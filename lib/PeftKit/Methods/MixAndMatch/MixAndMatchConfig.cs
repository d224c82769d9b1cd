using System.Text.Json.Nodes;
using PeftKit.Methods.Adapters;
using PeftKit.Methods.PrefixTuning;

namespace PeftKit.Methods.MixAndMatch;

/// <summary>
/// The mix-and-match adapter (MAM; He et al. 2022, "Towards a Unified View of Parameter-Efficient Transfer Learning",
/// §4.6): prefix tuning at the attention blocks and a scaled parallel adapter at the feed-forward blocks, trained
/// together as one adapter. Their best recipe: a 30-token prefix and a parallel adapter of bottleneck 512 scaled by
/// s = 4, 6.7% of the model's parameters, matching full fine-tuning on XSum and WMT en-ro. The two parts are the kit's
/// own <see cref="PrefixTuningConfig"/> and <see cref="AdapterConfig"/>, so each keeps its own initialisation, counts and
/// checks; their parameters are the sum of theirs.
/// </summary>
public sealed record MixAndMatchConfig : PeftConfig
{
    /// <summary>
    /// Creates a configuration from its two parts. <paramref name="adapter"/> must not place an adapter after the
    /// attention block (Houlsby): the attention block is the prefix's; the paper's recipe is the parallel placement.
    /// </summary>
    public MixAndMatchConfig(PrefixTuningConfig prefix, AdapterConfig adapter)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(adapter);
        if (adapter.Placement == AdapterPlacement.Houlsby)
            throw new ArgumentException("In a mix-and-match adapter the attention block is modified by the prefix, so the bottleneck adapter goes at the feed-forward block only: use AdapterPlacement.Parallel (He et al.'s recipe, with scaling 4) or Pfeiffer.", nameof(adapter));
        if (prefix.TrainHead is not null || adapter.TrainHead is not null)
            throw new ArgumentException("Set TrainHead on the MixAndMatchConfig itself, not on its parts.");
        Prefix = prefix;
        Adapter = adapter;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>
    /// This method's row of <see cref="MethodCatalog"/>. The recipe: the catalog's prefix (its virtual tokens, an MLP of
    /// 512 while training) and a parallel adapter of bottleneck 64 scaled by 4, at the rate both parts train with alone.
    /// </summary>
    public static MethodDescriptor Descriptor { get; } = new("mam", "KIT_MIX_AND_MATCH", typeof(MixAndMatchConfig), Read,
        c => new MixAndMatchConfig(new PrefixTuningConfig(c.VirtualTokens), new AdapterConfig(bottleneck: 64, placement: AdapterPlacement.Parallel, trainLayerNorms: false, scaling: 4)),
        LearningRate: 1e-3, CombinesMethods: true);

    /// <summary>The prefix at every attention block.</summary>
    public PrefixTuningConfig Prefix { get; }

    /// <summary>The bottleneck adapter at every feed-forward block (parallel in He et al.'s recipe).</summary>
    public AdapterConfig Adapter { get; }

    /// <summary>Parameters kept after training (the prefix without its MLP, the adapters; head not included).</summary>
    public long KeptParameterCount(int hiddenSize, int numLayers) =>
        Prefix.KeptParameterCount(hiddenSize, numLayers) + Adapter.ParameterCount(hiddenSize, numLayers);

    /// <summary>Parameters trained (the prefix with its MLP, the adapters; LayerNorms and head not included).</summary>
    public long TrainedParameterCount(int hiddenSize, int numLayers) =>
        Prefix.TrainedParameterCount(hiddenSize, numLayers) + Adapter.ParameterCount(hiddenSize, numLayers);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new MixAndMatchAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        var prefix = new JsonObject();
        Prefix.WriteJson(prefix);
        var adapter = new JsonObject();
        Adapter.WriteJson(adapter);
        o["prefix"] = prefix;
        o["adapter"] = adapter;
    }

    internal static MixAndMatchConfig Read(JsonObject o) => new(
        PrefixTuningConfig.Read(o["prefix"] as JsonObject ?? throw new InvalidDataException("adapter_config.json of a mix-and-match adapter lacks the object 'prefix'.")),
        AdapterConfig.Read(o["adapter"] as JsonObject ?? throw new InvalidDataException("adapter_config.json of a mix-and-match adapter lacks the object 'adapter'.")));
}
