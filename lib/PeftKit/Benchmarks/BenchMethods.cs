using PeftKit.Methods;
using PeftKit.Methods.Lora;
using PeftKit.Quantization;
using PeftKit.Methods.PTuning;
using PeftKit.Models;

namespace PeftKit.Benchmarks;

/// <summary>The methods and model shapes the benchmark knows, and the exact configuration each method is measured with.</summary>
public static class BenchMethods
{
    /// <summary>Every method, in table order (lower-case names as in the JSON rows): the default of <c>kit bench</c>.</summary>
    public static IReadOnlyList<string> All => MethodCatalog.Names;

    /// <summary>LoRA (the <c>lora</c> row's config) on a base quantised by <see cref="BaseQuantizer"/>: measured when named in --methods.</summary>
    public static IReadOnlyList<string> QuantizedLora { get; } = ["lora-int8", "lora-nf4"];

    /// <summary>Every name --methods accepts: <see cref="All"/> and <see cref="QuantizedLora"/>.</summary>
    public static IReadOnlyList<string> Known => [.. All, .. QuantizedLora];

    /// <summary>How the row's base is stored: int8 or NF4 for <see cref="QuantizedLora"/>, null (float32) otherwise.</summary>
    public static QuantizationKind? Quantization(string method) => method switch
    {
        "lora-int8" => QuantizationKind.Int8,
        "lora-nf4" => QuantizationKind.Nf4,
        _ => null,
    };

    /// <summary>The catalog method a row trains: <c>lora</c> for the quantised rows, else the row's own name.</summary>
    static string CatalogName(string method) => Quantization(method) is null ? method : LoraConfig.Descriptor.Name;

    /// <summary>Model shape names.</summary>
    public static IReadOnlyList<string> Models { get; } = ["tiny-gpt", "tiny-bert", "gpt2-shape", "bert-shape"];

    /// <summary>Virtual tokens used by prefix, prompt, P-Tuning v1 and v2.</summary>
    public const int VirtualTokens = 20;

    /// <summary>Labels of the sequence-classification head every bench model carries (linear-probe and P-Tuning v2 need one).</summary>
    public const int NumLabels = 2;

    /// <summary>The architecture behind a model shape name (randomly initialised; no weights are loaded).</summary>
    public static TransformerConfig ModelConfig(string model) => model switch
    {
        "tiny-gpt" => TransformerConfig.TinyDecoder,
        "tiny-bert" => TransformerConfig.TinyEncoder,
        "gpt2-shape" => TransformerConfig.Gpt2Small,
        "bert-shape" => TransformerConfig.BertBase,
        _ => throw new ArgumentException($"Unknown bench model '{model}'; use one of: {string.Join(", ", Models)}.", nameof(model)),
    };

    /// <summary>Default (batch, sequence length) per model: large enough to be realistic, small enough for 2 CPU cores.</summary>
    public static (int Batch, int Seq) DefaultShape(string model) => model is "gpt2-shape" or "bert-shape" ? (2, 64) : (8, 128);

    /// <summary>Whether the method can be merged into the base weights (inference is then timed merged and unmerged).</summary>
    public static bool Mergeable(string method) => MethodCatalog.ByName(CatalogName(method)).Mergeable;

    /// <summary>
    /// The bench model for <paramref name="method"/>, its base quantised in place for <see cref="QuantizedLora"/> (the
    /// report says what was replaced; null for a float32 base).
    /// </summary>
    public static TransformerModel CreateModel(string model, string method, out QuantizationReport? quantization)
    {
        var created = CreateModel(model, method);
        quantization = Quantization(method) is { } kind ? BaseQuantizer.Quantize(created, kind) : null;
        return created;
    }

    /// <summary>A fresh randomly initialised bench model (seeded by the caller) with a sequence-classification head.</summary>
    public static TransformerModel CreateModel(string model) => new(ModelConfig(model), HeadKind.SequenceClassification, NumLabels);

    /// <summary>The bench model for <paramref name="method"/>: P-Tuning v1 classifies through its language-model head and a
    /// verbalizer (<see cref="ReadsLabelWords"/>), every other method through a sequence-classification head.</summary>
    public static TransformerModel CreateModel(string model, string method)
    {
        if (!ReadsLabelWords(method)) return CreateModel(model);
        var config = ModelConfig(model);
        return new(config, config.Kind == ModelKind.Decoder ? HeadKind.LanguageModel : HeadKind.MaskedLanguageModel);
    }

    /// <summary>Whether the method has no head and reads label words from the LM head (P-Tuning v1), as the notebooks run it.</summary>
    public static bool ReadsLabelWords(string method) => MethodCatalog.ByName(CatalogName(method)).ReadsLabelWords;

    /// <summary>The bench's label words for P-Tuning v1 (two ordinary ids; the weights are random, only the cost matters).</summary>
    public static Verbalizer Verbalizer { get; } = new([10, 11]);

    /// <summary>P-Tuning v1 template: <see cref="VirtualTokens"/> prompt tokens, then the input.</summary>
    public static PTuningTemplate PTuningTemplate(TransformerConfig config) =>
        new([TemplatePart.Prompt(VirtualTokens), TemplatePart.Input(0)], PseudoTokenId(config), config.VocabSize - 2);

    /// <summary>The pseudo-token id P-Tuning v1 uses (the last vocabulary id; the random batch never draws it).</summary>
    public static long PseudoTokenId(TransformerConfig config) => config.VocabSize - 1;

    /// <summary>The configuration a method is measured with: its recipe (<see cref="MethodDescriptor.Recipe"/>), with
    /// <see cref="VirtualTokens"/> and, for P-Tuning v1, <see cref="PTuningTemplate"/>.</summary>
    public static PeftConfig Create(string method, TransformerConfig config)
    {
        var descriptor = MethodCatalog.ByName(CatalogName(method));
        return descriptor.Recipe(new MethodRecipeContext(config, VirtualTokens, descriptor.ReadsLabelWords ? PTuningTemplate(config) : null));
    }
}
