using PeftKit.Methods.Adapters;
using PeftKit.Methods.Baselines;
using PeftKit.Methods.BitFit;
using PeftKit.Methods.IA3;
using PeftKit.Methods.LnTuning;
using PeftKit.Methods.Lora;
using PeftKit.Methods.MixAndMatch;
using PeftKit.Methods.PrefixTuning;
using PeftKit.Methods.PromptTuning;
using PeftKit.Methods.PTuning;
using PeftKit.Methods.PTuningV2;

namespace PeftKit.Tests.Methods;

/// <summary>
/// The table every method runs through. Expected trainable counts are the closed forms of docs/methods.md written
/// out independently of the library (d width, L layers, f FFN width, C labels).
/// </summary>
public static class MethodTable
{
    static long Head(TransformerConfig c, int labels, bool bias) => (long)c.HiddenSize * labels + (bias ? labels : 0);

    static long Lstm(long d, long h) => 2 * ((4 * h * d + 4 * h * h + 8 * h) + (4 * h * 2 * h + 4 * h * h + 8 * h));   // 2 layers × 2 directions

    public static readonly MethodRow[] Rows =
    [
        new("lora-gpt2-c_attn", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new LoraConfig(new[] { "c_attn" }, rank: 4, alpha: 8),
            true, true, c => c.NumLayers * 4L * (c.HiddenSize + 3 * c.HiddenSize)),
        new("lora-bert-qv-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 3, () => new LoraConfig(new[] { "query", "value" }, rank: 2, alpha: 4, dropout: 0.1),
            true, true, c => c.NumLayers * 2L * 2 * (c.HiddenSize + c.HiddenSize) + Head(c, 3, true)),
        new("rslora-regex-c_fc", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new LoraConfig(@"h\.\d+\.mlp\.c_fc", rank: 4, alpha: 4, useRsLora: true, init: LoraInit.Gaussian),
            true, true, c => c.NumLayers * 4L * (c.HiddenSize + c.IntermediateSize)),
        new("ia3-gpt2", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new IA3Config(),
            true, true, c => c.NumLayers * (2L * c.HiddenSize + c.IntermediateSize)),
        new("ia3-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new IA3Config(),
            true, true, c => c.NumLayers * (2L * c.HiddenSize + c.IntermediateSize) + Head(c, 2, true)),
        new("bitfit-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new BitFitConfig(),
            true, false, c => c.NumLayers * (4L * c.HiddenSize + c.IntermediateSize + c.HiddenSize + 2 * c.HiddenSize) + c.HiddenSize + c.HiddenSize + Head(c, 2, true)),
        new("ln-tuning-gpt2-cls", ModelKind.Decoder, HeadKind.SequenceClassification, 2, () => new LnTuningConfig(),
            true, false, c => (2L * c.NumLayers + 1) * 2 * c.HiddenSize + Head(c, 2, false)),
        new("ln-tuning-bert-mlm", ModelKind.Encoder, HeadKind.MaskedLanguageModel, 0, () => new LnTuningConfig(),
            true, false, c => (2L * c.NumLayers + 1) * 2 * c.HiddenSize),   // the MLM head's cls.predictions.transform.LayerNorm stays frozen
        new("houlsby-gpt2-zero-up", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new AdapterConfig(bottleneck: 4, zeroUpProjection: true),
            true, false, c => 2L * c.NumLayers * (2L * c.HiddenSize * 4 + c.HiddenSize + 4) + (2L * c.NumLayers + 1) * 2 * c.HiddenSize),
        new("pfeiffer-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new AdapterConfig(bottleneck: 8, placement: AdapterPlacement.Pfeiffer, activation: AdapterActivation.Relu, trainLayerNorms: false),
            false, false, c => c.NumLayers * (2L * c.HiddenSize * 8 + c.HiddenSize + 8) + Head(c, 2, true)),
        new("parallel-gpt2-zero-up-s4", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, zeroUpProjection: true, scaling: 4),
            true, false, c => c.NumLayers * (2L * c.HiddenSize * 4 + c.HiddenSize + 4) + (2L * c.NumLayers + 1) * 2 * c.HiddenSize),
        new("parallel-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new AdapterConfig(bottleneck: 8, placement: AdapterPlacement.Parallel, trainLayerNorms: false, scaling: 2),
            false, false, c => c.NumLayers * (2L * c.HiddenSize * 8 + c.HiddenSize + 8) + Head(c, 2, true)),
        new("prefix-gpt2-mlp", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PrefixTuningConfig(numVirtualTokens: 4, encoderHiddenSize: 16),
            false, false, c => 4L * c.HiddenSize + (c.HiddenSize * 16L + 16) + (16L * 2 * c.NumLayers * c.HiddenSize + 2L * c.NumLayers * c.HiddenSize), Consolidates: true),
        new("prefix-bert-direct", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new PrefixTuningConfig(numVirtualTokens: 3, encoderHiddenSize: null) { TrainHead = false },
            false, false, c => 3L * 2 * c.NumLayers * c.HiddenSize),
        new("mam-gpt2-mlp-parallel-s4", ModelKind.Decoder, HeadKind.LanguageModel, 0,
            () => new MixAndMatchConfig(new PrefixTuningConfig(numVirtualTokens: 4, encoderHiddenSize: 16), new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, trainLayerNorms: false, scaling: 4)),
            false, false, c => 4L * c.HiddenSize + (c.HiddenSize * 16L + 16) + (16L * 2 * c.NumLayers * c.HiddenSize + 2L * c.NumLayers * c.HiddenSize)
                + c.NumLayers * (2L * c.HiddenSize * 4 + c.HiddenSize + 4), Consolidates: true),
        new("mam-bert-cls-direct-pfeiffer", ModelKind.Encoder, HeadKind.SequenceClassification, 2,
            () => new MixAndMatchConfig(new PrefixTuningConfig(numVirtualTokens: 3, encoderHiddenSize: null), new AdapterConfig(bottleneck: 8, placement: AdapterPlacement.Pfeiffer, trainLayerNorms: true)),
            false, false, c => 3L * 2 * c.NumLayers * c.HiddenSize + c.NumLayers * (2L * c.HiddenSize * 8 + c.HiddenSize + 8)
                + (2L * c.NumLayers + 1) * 2 * c.HiddenSize + Head(c, 2, true)),
        new("prompt-gpt2-text", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PromptTuningConfig(5, PromptInit.Text([3, 4, 5])),
            false, false, c => 5L * c.HiddenSize),
        new("prompt-bert-vocab-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new PromptTuningConfig(4, PromptInit.SampledVocab()),
            false, false, c => 4L * c.HiddenSize + Head(c, 2, true)),
        new("ptuning-bert-lstm-mlm", ModelKind.Encoder, HeadKind.MaskedLanguageModel, 0, () => new PTuningConfig(MethodRow.Template, PromptEncoderKind.Lstm, encoderHiddenSize: 8),
            false, false, c => 3L * c.HiddenSize + Lstm(c.HiddenSize, 8) + (16L * 16 + 16 + 16L * c.HiddenSize + c.HiddenSize), Consolidates: true),
        new("ptuning-gpt2-mlp", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PTuningConfig(MethodRow.Template, PromptEncoderKind.Mlp, encoderHiddenSize: 8),
            false, false, c => 3L * c.HiddenSize + (c.HiddenSize * 8L + 8 + 8 * 8 + 8 + 8L * c.HiddenSize + c.HiddenSize), Consolidates: true),
        new("ptv2-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new PTuningV2Config(numVirtualTokens: 4),
            false, false, c => 4L * 2 * c.NumLayers * c.HiddenSize + Head(c, 2, true)),
        new("ptv2-bert-layer1-mlp-tokens", ModelKind.Encoder, HeadKind.TokenClassification, 3, () => new PTuningV2Config(numVirtualTokens: 2, layers: [1], encoderHiddenSize: 8),
            false, false, c => 2L * c.HiddenSize + (c.HiddenSize * 8L + 8) + (8L * 2 * c.HiddenSize + 2 * c.HiddenSize) + Head(c, 3, true), Consolidates: true),
        new("full-finetune-bert-cls", ModelKind.Encoder, HeadKind.SequenceClassification, 2, () => new FullFineTune(),
            true, false, c => c.BodyParameterCount + Head(c, 2, true)),
        new("linear-probe-gpt2-cls", ModelKind.Decoder, HeadKind.SequenceClassification, 2, () => new LinearProbe(),
            true, false, c => Head(c, 2, false)),
    ];

    public static TheoryData<MethodRow> All() => [.. Rows];

    public static TheoryData<MethodRow> Identity() => [.. Rows.Where(r => r.IdentityAtInit)];

    public static TheoryData<MethodRow> Mergeable() => [.. Rows.Where(r => r.Mergeable)];

    public static TheoryData<MethodRow> Consolidating() => [.. Rows.Where(r => r.Consolidates)];
}
