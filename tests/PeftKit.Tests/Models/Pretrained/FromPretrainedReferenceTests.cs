using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Text;
using Xunit.Abstractions;

namespace PeftKit.Tests.Models.Pretrained;

/// <summary>
/// Each folder the independent reference wrote loads with one FromPretrained call and reproduces the reference's
/// outputs at every real position, for a right- and a left-padded batch.
/// </summary>
public sealed class FromPretrainedReferenceTests(ReferenceCheckpoints reference, ITestOutputHelper log) : IClassFixture<ReferenceCheckpoints>
{
    // The kit runs in float32 against a float64 reference on the same float32-stored weights, so the difference is the
    // kit's rounding alone: 2^-24 ≈ 6e-8 relative per operation, accumulated over 32- to 64-term dot products, softmax,
    // LayerNorm and two blocks. Hidden states and the pooler output are O(1) (here up to 3.6, where a float32 ulp is
    // 2.4e-7): 1e-5 is ~40 ulps. Logits are dot products of those with the tied embedding and reach ~10 (ulp 9.5e-7):
    // 3e-5 is ~30 ulps. Measured on every folder and both paddings (the test log prints each): at most 1.8e-6 for hidden
    // and pooled, 4.8e-6 for logits, so margins of 5 to 6, while a real error fails by orders of magnitude (BERT's
    // left-padded rows with the old cumsum positions: 2.5; a position off by one: ~1e-1; tanh GELU for erf: ~1e-3).
    const double ActivationTolerance = 1e-5, LogitTolerance = 3e-5;

    [Theory]
    [InlineData("gpt2-lm", CheckpointFormat.Gpt2, HeadKind.LanguageModel, 1)]
    [InlineData("gpt2-bare-sharded", CheckpointFormat.Gpt2, HeadKind.LanguageModel, 2)]
    [InlineData("bert-pretraining", CheckpointFormat.Bert, HeadKind.MaskedLanguageModel, 1)]
    [InlineData("bert-model-sharded", CheckpointFormat.Bert, HeadKind.None, 3)]
    [InlineData("bert-mlm-no-pooler", CheckpointFormat.Bert, HeadKind.MaskedLanguageModel, 1)]
    public void FolderReproducesTheReferenceAtRealPositions(string name, CheckpointFormat format, HeadKind head, int files)
    {
        using var loaded = TransformerModel.FromPretrained(reference.Folder(name));
        Assert.Equal((format, head, files), (loaded.Format, loaded.Head, loaded.WeightFiles.Count));
        var expected = reference.Expected(name);
        try
        {
            foreach (var side in new[] { "right", "left" })
            {
                var input = new ModelInput(expected[$"input_ids_{side}"], expected[$"attention_mask_{side}"],
                    format == CheckpointFormat.Bert ? expected[$"token_type_ids_{side}"] : null);
                using var output = loaded.Model.forward(input);
                var real = expected[$"attention_mask_{side}"].to(@bool);                                 // (B, T)
                AssertClose($"{name} {side} hidden", output.HiddenStates, expected[$"hidden_{side}"], real, ActivationTolerance);
                if (expected.TryGetValue($"logits_{side}", out var logits)) AssertClose($"{name} {side} logits", output.Logits!, logits, real, LogitTolerance);
                else Assert.Null(output.Logits);
                if (expected.TryGetValue($"pooled_{side}", out var pooled))
                    AssertClose($"{name} {side} pooled", output.Pooled!, pooled, null, ActivationTolerance);                   // position 0 of every row, as BertPooler reads it
                else if (format == CheckpointFormat.Gpt2) Assert.Null(output.Pooled);
            }
        }
        finally
        {
            foreach (var t in expected.Values) t.Dispose();
        }
    }

    void AssertClose(string what, Tensor actual, Tensor expected, Tensor? real, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (actual.to(float64) - expected).abs();                                      // (B, T, ·) or (B, d)
        using var atReal = real is null ? diff.flatten() : diff[real];                               // real positions only
        double max = atReal.max().item<double>(), scale = expected.abs().max().item<double>();
        log.WriteLine($"{what}: max |kit - reference| = {max:E2} (values up to {scale:F2})");
        Assert.True(max <= tolerance, $"{what}: max |kit - reference| = {max:E3} > {tolerance:E0}");
    }

    [Fact]
    public void LeftPaddingMovesBertPositionsButNotGpt2Positions()
    {
        // The left-padded cases test the position rule only if it matters: in the reference, BERT's real tokens sit at
        // different positions once padded on the left (arange), GPT-2's do not (cumsum of the mask).
        foreach (var (name, moves) in new[] { ("bert-pretraining", true), ("gpt2-lm", false) })
        {
            var e = reference.Expected(name);
            using var right = e["hidden_right"][1, ..4];                                             // row 1: 4 real tokens
            using var left = e["hidden_left"][1, 2..];
            double gap = (right - left).abs().max().item<double>();
            Assert.True(moves ? gap > 0.1 : gap < 1e-12, $"{name}: right vs left real-token gap {gap}");
            foreach (var t in e.Values) t.Dispose();
        }
    }

    [Fact]
    public void LoadReportsSayWhatWasSkippedAndWhatIsMissing()
    {
        using (var gpt = TransformerModel.FromPretrained(reference.Folder("gpt2-bare-sharded")))
        {
            Assert.Contains("lm_head.weight", gpt.LoadReport.Skipped);                                // the tied copy
            Assert.Contains("h.0.attn.bias", gpt.LoadReport.Skipped);                                 // the causal-mask buffer
            Assert.Equal(48, gpt.Config.IntermediateSize);                                           // n_inner
            Assert.Empty(gpt.Notes);
        }
        using (var gpt = TransformerModel.FromPretrained(reference.Folder("gpt2-lm")))
            Assert.Equal(4 * 32, gpt.Config.IntermediateSize);                                       // n_inner null → 4d
        using (var bert = TransformerModel.FromPretrained(reference.Folder("bert-pretraining")))
        {
            Assert.Contains("cls.seq_relationship.weight", bert.LoadReport.Skipped);
            Assert.Empty(bert.LoadReport.Missing);
            Assert.False(bert.Model.training);
        }
        using (var mlm = TransformerModel.FromPretrained(reference.Folder("bert-mlm-no-pooler")))
        {
            Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], mlm.LoadReport.Missing.Order());
            Assert.Contains("no pooler", Assert.Single(mlm.Notes));
        }
    }

    [Fact]
    public void TokenizerFilesEncodeToTheIdsTheyWereBuiltFor()
    {
        var cases = JsonNode.Parse(File.ReadAllText(reference.TokenizerCases))!.AsObject();
        void Check(string folder, string set, Type type)
        {
            var (model, tokenizer) = TransformerModel.FromPretrained(reference.Folder(folder));
            using var _ = model;
            Assert.IsType(type, tokenizer);
            foreach (var c in cases[set]!.AsArray())
                Assert.Equal(c!["ids"]!.AsArray().Select(i => i!.GetValue<int>()), tokenizer.Encode(c["text"]!.GetValue<string>()));
        }
        Check("gpt2-lm", "gpt2", typeof(Gpt2BpeTokenizer));
        Check("gpt2-bare-sharded", "gpt2", typeof(Gpt2BpeTokenizer));
        Check("bert-pretraining", "bert_uncased", typeof(BertWordPieceTokenizer));     // do_lower_case: true
        Check("bert-model-sharded", "bert_cased", typeof(BertWordPieceTokenizer));     // do_lower_case: false
    }
}
