using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Quantization;

/// <summary>
/// Quantises a model's frozen base in place, as QLoRA does: every Linear / Conv1D inside the transformer blocks
/// (GPT-2 <c>h.*</c>, BERT <c>encoder.layer.*</c>) becomes a <see cref="QuantizedLinear"/>; embeddings, LayerNorms, the
/// pooler and heads stay float32. Apply LoRA afterwards (<c>Peft.Apply</c>); only the adapter trains.
/// </summary>
public static class BaseQuantizer
{
    /// <summary>Replaces the block layers of <paramref name="model"/> by quantised ones and reports the bytes.</summary>
    public static QuantizationReport Quantize(TransformerModel model, QuantizationKind kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.named_modules().Any(m => m.module is QuantizedLinear))
            throw new InvalidOperationException("This model's base is quantised already; quantise a fresh model.");
        if (PeftModel.IsWrapped(model))
            throw new InvalidOperationException("A PEFT method is applied to this model already; quantise the base first, then apply the PEFT method.");
        var paths = model.named_modules()
            .Where(m => m.module is Linear or Conv1D && (m.name.StartsWith("h.", StringComparison.Ordinal) || m.name.StartsWith("encoder.layer.", StringComparison.Ordinal)))
            .Select(m => m.name).ToList();
        if (paths.Count == 0) throw new ArgumentException("The model has no Linear or Conv1D layer inside its transformer blocks to quantise.", nameof(model));
        long floatBytes = 0, stored = 0;
        using (no_grad())
            foreach (var path in paths)
            {
                var layer = model.GetSubmodule(path);
                var quantised = QuantizedLinear.From(layer, kind);
                floatBytes += 4 * quantised.Weight.OutFeatures * quantised.Weight.InFeatures;
                stored += quantised.Weight.StoredBytes;
                model.ReplaceSubmodule(path, quantised);
                layer.Dispose();
            }
        return new QuantizationReport(kind, paths, floatBytes, stored);
    }
}
