using System.Text.Json.Nodes;

namespace PeftKit.Methods.Lora;

/// <summary>
/// LoRA (Hu et al. 2021): h = W₀x + s·B·A·x on each target module, W₀ frozen, A ∈ ℝ^{r×d_in}, B ∈ ℝ^{d_out×r} = 0 at init,
/// s = α/r (or α/√r with rsLoRA). Trainable parameters r·(d_in + d_out) per adapted matrix.
/// </summary>
public sealed record LoraConfig : PeftConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    public LoraConfig(TargetModules targetModules, int rank = 8, double alpha = 8, double dropout = 0, bool useRsLora = false, LoraInit init = LoraInit.KaimingUniform)
    {
        TargetModules = targetModules;
        Rank = rank;
        Alpha = alpha;
        Dropout = dropout;
        UseRsLora = useRsLora;
        Init = init;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>The reference library's default targets: GPT-2's fused c_attn, BERT's query and value.</summary>
    public static TargetModules ReferenceDefaultTargets(Models.ModelKind kind) => kind == Models.ModelKind.Decoder
        ? TargetModules.Regex(@"h\.\d+\.attn\.c_attn") : TargetModules.Regex(@"encoder\.layer\.\d+\.attention\.self\.(query|value)");

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("lora", "LORA", typeof(LoraConfig), Read,
        c => new LoraConfig(ReferenceDefaultTargets(c.Model.Kind), rank: 8, alpha: 16), LearningRate: 3e-3, Mergeable: true);

    /// <summary>Modules to adapt: names/dotted suffixes (e.g. ["c_attn"], ["query", "value"]) or one full-match regex.</summary>
    public TargetModules TargetModules { get; init => field = value ?? throw new ArgumentNullException(nameof(TargetModules), "Name the modules to adapt, e.g. [\"c_attn\"] for GPT-2 or [\"query\", \"value\"] for BERT."); }

    /// <summary>The rank r (≥ 1).</summary>
    public int Rank { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Rank), value, "LoRA rank r must be at least 1 (typical: 4, 8, 16)."); }

    /// <summary>α; the update is scaled by α/r (α/√r with rsLoRA). Must be positive.</summary>
    public double Alpha { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Alpha), value, "LoRA alpha must be a positive number (often equal to r or 2r)."); }

    /// <summary>Dropout probability on the LoRA input path only, in [0, 1).</summary>
    public double Dropout { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, "LoRA dropout must be in [0, 1); use 0 to disable it."); }

    /// <summary>Rank-stabilised LoRA: scale by α/√r instead of α/r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Initialisation of A.</summary>
    public LoraInit Init { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Init), value, "Unknown LoraInit."); }

    /// <summary>The scaling s applied to B·A·x.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new LoraAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["r"] = Rank;
        o["lora_alpha"] = Alpha;
        o["lora_dropout"] = Dropout;
        o["target_modules"] = PeftConfigJson.Write(TargetModules);
        o["use_rslora"] = UseRsLora;
        o["init_lora_weights"] = Init == LoraInit.Gaussian ? "gaussian" : true;
        o["bias"] = "none";
        o["fan_in_fan_out"] = false;   // per-module in this kit: GPT-2's Conv1D reports it (Conv1D.FanInFanOut)
        o["modules_to_save"] = null;
    }

    internal static LoraConfig Read(JsonObject o)
    {
        var bias = PeftConfigJson.OptString(o, "bias") ?? "none";
        if (bias != "none") throw new NotSupportedException($"adapter_config.json has bias = '{bias}'; this kit's LoRA trains no biases (bias = 'none'). Use BitFit for bias training.");
        var init = o["init_lora_weights"] is JsonValue v && v.TryGetValue<string>(out var s) && s == "gaussian" ? LoraInit.Gaussian : LoraInit.KaimingUniform;
        return new LoraConfig(PeftConfigJson.ReadTargets(o, "target_modules"), PeftConfigJson.Int(o, "r"),
            PeftConfigJson.Double(o, "lora_alpha"), PeftConfigJson.OptDouble(o, "lora_dropout") ?? 0,
            PeftConfigJson.OptBool(o, "use_rslora") ?? false, init);
    }
}
