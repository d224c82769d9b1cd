using System.Text.Json.Nodes;

namespace PeftKit.Methods.Baselines;

/// <summary>Baseline: every parameter trains (the reference point the PEFT papers compare against).</summary>
public sealed record FullFineTune : PeftConfig
{
    /// <inheritdoc/>
    public override string PeftType => "FULL_FINE_TUNE";

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new BaselineAdapter(model, name, this, trainsBody: true);

    internal override void WriteJson(JsonObject o) { }
}
