using PeftKit.Data;
using PeftKit.Experiments;
using PeftKit.Text;

namespace PeftKit.Tests.Models.Pretrained;

/// <summary>The kit's own committed bases load through FromPretrained and give what the existing path (TinyBase) gives.</summary>
public sealed class FromPretrainedKitBaseTests
{
    public FromPretrainedKitBaseTests() => KitTorch.Setup();

    [Theory]
    [InlineData("tiny-gpt", HeadKind.LanguageModel)]
    [InlineData("tiny-bert", HeadKind.MaskedLanguageModel)]
    public void CommittedBaseGivesTheSameLogitsAsTinyBase(string name, HeadKind head)
    {
        var @base = TinyBase.Load(name);
        using var expected = @base.CreateModel();
        expected.eval();
        using var loaded = TransformerModel.FromPretrained(Path.Combine(DataRoot.Locate(), "models", name));
        Assert.Equal((CheckpointFormat.PeftKit, head), (loaded.Format, loaded.Head));
        Assert.Equal(@base.Config, loaded.Config);
        var tokenizer = Assert.IsType<CompactTokenizer>(loaded.Tokenizer);
        const string text = "The whale surfaced near the ship.";
        Assert.Equal(@base.Tokenizer.Encode(text), tokenizer.Encode(text));

        using var ids = tensor(tokenizer.Encode(text).Select(i => (long)i).ToArray(), int64).unsqueeze(0);   // (1, T)
        using var a = expected.forward(new ModelInput(ids));
        using var b = loaded.Model.forward(new ModelInput(ids));
        Assert.True(TinyModels.Same(a.Logits!, b.Logits!), "same weights, same code: the logits must be equal bit for bit");
    }
}
