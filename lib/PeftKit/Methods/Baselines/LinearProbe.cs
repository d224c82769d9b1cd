using System.Text.Json.Nodes;
using PeftKit.Models;

namespace PeftKit.Methods.Baselines;

/// <summary>Baseline: the body is frozen and only the task head (<c>score</c>/<c>classifier</c>) trains.</summary>
public sealed record LinearProbe : PeftConfig
{
    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("linear-probe", "LINEAR_PROBE", typeof(LinearProbe), _ => new LinearProbe(),
        _ => new LinearProbe(), LearningRate: 1e-2);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name)
    {
        if (model.BaseModel.Head is not (HeadKind.SequenceClassification or HeadKind.TokenClassification))
            throw new NotSupportedException(
                $"Unsupported combination: a linear probe trains a classification head, but the model has a {model.BaseModel.Head} head. Use model.WithClassificationHead(n) first.");
        if (TrainHead == false) throw new ArgumentException("A linear probe with TrainHead = false would train nothing.");
        return new BaselineAdapter(model, name, this, trainsBody: false);
    }

    internal override void WriteJson(JsonObject o) { }
}
