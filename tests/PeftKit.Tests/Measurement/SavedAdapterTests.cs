using PeftKit.Measurement;
using PeftKit.Methods.Lora;

namespace PeftKit.Tests.Measurement;

public sealed class SavedAdapterTests
{
    [Fact]
    public void SavedAdapterCountsTheFilesSaveAdapterWritesAndTheTensorsInThem()
    {
        var config = new TransformerConfig(ModelKind.Decoder, vocabSize: 64, maxPositions: 16, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32, layerNormEps: 1e-5f, dropout: 0f);
        using var peft = Peft.Apply(new TransformerModel(config), new LoraConfig(new[] { "c_attn" }, rank: 2, alpha: 4));
        var measured = SavedAdapter.Of(peft);

        var dir = Directory.CreateTempSubdirectory("peftkit-saved-adapter-test-");
        try
        {
            peft.SaveAdapter(dir.FullName);
            Assert.Equal(dir.GetFiles().Sum(f => f.Length), measured.Bytes);
        }
        finally { dir.Delete(recursive: true); }
        Assert.Equal(2L * 2 * (16 + 3 * 16), measured.Parameters);   // L · r · (d_in + d_out) for c_attn: d → 3d
    }
}
