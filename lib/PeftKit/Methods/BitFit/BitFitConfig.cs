using System.Text.Json.Nodes;

namespace PeftKit.Methods.BitFit;

/// <summary>BitFit (Ben Zaken et al. 2022): train only the bias terms of the model (under 0.1% of its parameters).</summary>
public sealed record BitFitConfig : PeftConfig
{
    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("bitfit", "BITFIT", typeof(BitFitConfig), Read,
        _ => new BitFitConfig(), LearningRate: 1e-2);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new BitFitAdapter(model, name, this);

    internal override void WriteJson(JsonObject o) => o["bias"] = "all";

    internal static BitFitConfig Read(JsonObject o) => new();
}
