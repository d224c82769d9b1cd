using System.Text.Json.Nodes;

namespace PeftKit.Methods.Baselines;

/// <summary>Baseline: every parameter trains (the reference point the PEFT papers compare against).</summary>
public sealed record FullFineTune : PeftConfig
{
    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("full", "FULL_FINE_TUNE", typeof(FullFineTune), _ => new FullFineTune(),
        _ => new FullFineTune(), LearningRate: 3e-4);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new BaselineAdapter(model, name, this, trainsBody: true);

    internal override void WriteJson(JsonObject o) { }
}
