using PeftKit.Methods.Adapters;
using PeftKit.Methods.Lora;
using PeftKit.Methods.PrefixTuning;

namespace PeftKit.Tests.PeftCore;

/// <summary>
/// Counts on the real GPT-2-small and BERT-base shapes (built on the CPU: ~0.5 GB each, a few seconds). The literals are
/// the figures docs/methods.md and the papers quote, so a wrong formula or a wrong module choice fails here.
/// </summary>
public sealed class GptBertShapeCountsTests
{
    public GptBertShapeCountsTests() => KitTorch.Setup();

    [Fact]
    public void Gpt2SmallLoraAndPrefixCounts()
    {
        using var model = new TransformerModel(TransformerConfig.Gpt2Small);
        var lora = Peft.Apply(model, new LoraConfig(new[] { "c_attn" }, rank: 8));
        Assert.Equal("trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364", lora.Report().ToString());
        lora.MergeAndUnload();

        using var model2 = new TransformerModel(TransformerConfig.Gpt2Small);
        var prefix = Peft.Apply(model2, new PrefixTuningConfig(numVirtualTokens: 20, encoderHiddenSize: 512));
        Assert.Equal(20L * 768 + 768 * 512 + 512 + 512L * 18432 + 18432, prefix.Report().Trainable);
        prefix.Consolidate();
        Assert.Equal(368_640, prefix.Report().Trainable);
    }

    [Fact]
    public void BertBaseLoraAndAdapterCounts()
    {
        using var model = new TransformerModel(TransformerConfig.BertBase, HeadKind.None);
        var config = new AdapterConfig(bottleneck: 64, trainLayerNorms: false);
        var peft = Peft.Apply(model, config);
        Assert.Equal(2 * 12 * (2L * 768 * 64 + 768 + 64), peft.Report().Trainable);   // 2,379,264
        Assert.Equal(2_379_264, config.ParameterCount(768, 12));
        Assert.Equal(109_482_240 + 2_379_264, peft.Report().Total);
        peft.DeleteAdapter("default");

        using var model2 = new TransformerModel(TransformerConfig.BertBase, HeadKind.None);
        var lora = Peft.Apply(model2, new LoraConfig(new[] { "query", "value" }, rank: 8));
        Assert.Equal(294_912, lora.Report().Trainable);   // 12 layers × 2 matrices × 8 × (768 + 768)
    }
}
