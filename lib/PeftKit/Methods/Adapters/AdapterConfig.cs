using System.Text.Json.Nodes;

namespace PeftKit.Methods.Adapters;

/// <summary>
/// Bottleneck adapters (Houlsby et al. 2019): h ← h + s·up(act(down(h))) on sublayer outputs, before the residual add
/// (and BERT's LayerNorm); the parallel placement (He et al. 2022) instead adds s·up(act(down(x))) from the feed-forward
/// block's input x beside its output. down d→r, up r→d, both with bias: 2dr + d + r parameters per adapter. The task
/// head trains; LayerNorms train when <see cref="TrainLayerNorms"/>.
/// </summary>
public sealed record AdapterConfig : PeftConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    public AdapterConfig(int bottleneck = 64, AdapterPlacement placement = AdapterPlacement.Houlsby, AdapterActivation activation = AdapterActivation.Gelu,
        double initStd = 1e-3, bool zeroUpProjection = false, bool trainLayerNorms = true, double scaling = 1)
    {
        Scaling = scaling;
        Bottleneck = bottleneck;
        Placement = placement;
        Activation = activation;
        InitStd = initStd;
        ZeroUpProjection = zeroUpProjection;
        TrainLayerNorms = trainLayerNorms;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("adapter", "BOTTLENECK_ADAPTER", typeof(AdapterConfig), Read,
        _ => new AdapterConfig(bottleneck: 64), LearningRate: 1e-3);

    /// <summary>Bottleneck width r (≥ 1; the paper: 8, 64, 256 do about equally well).</summary>
    public int Bottleneck { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Bottleneck), value, "The adapter bottleneck r must be at least 1 (typical: 8 to 256)."); }

    /// <summary>Houlsby (after attention and FFN), Pfeiffer (after FFN) or Parallel (beside FFN).</summary>
    public AdapterPlacement Placement { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Placement), value, "Unknown AdapterPlacement."); }

    /// <summary>Nonlinearity in the bottleneck.</summary>
    public AdapterActivation Activation { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Activation), value, "Unknown AdapterActivation."); }

    /// <summary>Std of the normal init of the projection weights (paper 1e-2, code 1e-3; larger degrades). Biases start at 0.</summary>
    public double InitStd { get; init => field = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InitStd), value, "Adapter InitStd must be in (0, 1]; the paper found ≤ 1e-2 robust."); }

    /// <summary>
    /// s, the factor on the adapter's output (1: Houlsby's and Pfeiffer's adapters; He et al. 2022 scale the parallel
    /// adapter by 4). Positive and finite.
    /// </summary>
    public double Scaling { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Scaling), value, "The adapter scaling s must be positive and finite (1 for Houlsby/Pfeiffer adapters; He et al. use 4 for the parallel adapter)."); }

    /// <summary>Start the up projection at exactly zero, so the adapter starts as the identity.</summary>
    public bool ZeroUpProjection { get; init; }

    /// <summary>Also train the model's LayerNorms (Houlsby: per-task LayerNorms).</summary>
    public bool TrainLayerNorms { get; init; }

    /// <summary>Trainable adapter parameters for a model of width d with L layers (LayerNorms and head not included).</summary>
    public long ParameterCount(int hiddenSize, int numLayers) =>
        (Placement == AdapterPlacement.Houlsby ? 2L : 1L) * numLayers * (2L * hiddenSize * Bottleneck + hiddenSize + Bottleneck);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new BottleneckAdapterMethod(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["bottleneck"] = Bottleneck;
        o["placement"] = Placement.ToString();
        o["activation"] = Activation.ToString();
        o["init_std"] = InitStd;
        o["zero_up_projection"] = ZeroUpProjection;
        o["train_layer_norms"] = TrainLayerNorms;
        if (Scaling != 1) o["scaling"] = Scaling;   // written only when set, so s = 1 files stay as they were
    }

    internal static AdapterConfig Read(JsonObject o) => new(
        PeftConfigJson.Int(o, "bottleneck"),
        Enum.Parse<AdapterPlacement>(PeftConfigJson.OptString(o, "placement") ?? "Houlsby"),
        Enum.Parse<AdapterActivation>(PeftConfigJson.OptString(o, "activation") ?? "Gelu"),
        PeftConfigJson.OptDouble(o, "init_std") ?? 1e-3,
        PeftConfigJson.OptBool(o, "zero_up_projection") ?? false,
        PeftConfigJson.OptBool(o, "train_layer_norms") ?? true,
        PeftConfigJson.OptDouble(o, "scaling") ?? 1);
}
