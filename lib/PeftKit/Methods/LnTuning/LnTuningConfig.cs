using System.Text.Json.Nodes;

namespace PeftKit.Methods.LnTuning;

/// <summary>
/// LN-tuning (Qi, Ruan, Zuo and Li 2022, "Parameter-Efficient Tuning on Layer Normalization for Pre-trained Language
/// Models", arXiv:2211.08682): train only the gain and bias of every body LayerNorm, <c>2d</c> per LayerNorm, so
/// <c>(2L + 1)·2d</c> on GPT-2 and BERT alike (docs/methods.md, "LN-tuning"). The reference library's
/// <c>LNTuningConfig</c>.
/// </summary>
public sealed record LnTuningConfig : PeftConfig
{
    /// <summary>
    /// The reference library's <c>target_modules</c> for the kit's selection, as a regex it full-matches against
    /// module paths: GPT-2's <c>ln_1</c>, <c>ln_2</c>, <c>ln_f</c> and BERT's <c>*.LayerNorm</c>, not the MLM head's
    /// (<c>cls.</c>). The reference library has no default for BERT, so the file names them.
    /// </summary>
    const string ReferenceTargets = @"(?!cls\.)(.*\.)?(ln_1|ln_2|ln_f|LayerNorm)";

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>
    /// This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train. Its
    /// learning rate was not swept: it is BitFit's, which trains a similar small set of per-channel vectors.
    /// </summary>
    public static MethodDescriptor Descriptor { get; } = new("ln-tuning", "LN_TUNING", typeof(LnTuningConfig), Read,
        _ => new LnTuningConfig(), LearningRate: 1e-2);

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new LnTuningAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["target_modules"] = ReferenceTargets;
        o["exclude_modules"] = null;
        o["modules_to_save"] = null;
    }

    internal static LnTuningConfig Read(JsonObject o) => new();
}
