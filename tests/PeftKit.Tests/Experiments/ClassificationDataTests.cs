using PeftKit.Data;
using PeftKit.Experiments;
using PeftKit.Methods.PTuning;

namespace PeftKit.Tests.Experiments;

[Collection(ExperimentsCollection.Name)]
public sealed class ClassificationDataTests(SmallBases bases)
{
    const int MaxLength = 40;

    [Theory]
    [InlineData(ModelKind.Encoder)]
    [InlineData(ModelKind.Decoder)]
    public void RowsAreTheTextsTokensWithTheLayoutsSpecialsTruncatedToMaxLength(ModelKind kind)
    {
        var b = bases.Of(kind);
        var tok = b.Tokenizer;
        var data = ClassificationData.Create(TaskName.SpamHam, b, MaxLength, maxTrain: 30, maxEval: 20, seed: 3);
        var source = KitData.Classification(TaskName.SpamHam, Split.Dev);
        var keep = ClassificationData.Subsample(source.Count, 20, 3 + (int)Split.Dev);
        Assert.Equal(20, data.DevCount);
        bool truncated = false;
        for (int i = 0; i < data.DevCount; i++)
        {
            var row = data.Row(Split.Dev, i);
            var text = tok.Encode(source[keep[i]].Text).Select(id => (long)id).ToArray();
            Assert.True(row.Count <= MaxLength);
            if (kind == ModelKind.Encoder)
            {
                Assert.Equal(tok.ClsId, row[0]);
                Assert.Equal(tok.SepId, row[^1]);
                Assert.Equal(text.Take(MaxLength - 2), row.Skip(1).Take(row.Count - 2));
            }
            else
            {
                Assert.Equal(tok.EndOfTextId, row[^1]);
                Assert.Equal(text.Take(MaxLength - 1), row.Take(row.Count - 1));
            }
            truncated |= row.Count == MaxLength && text.Length > row.Count;
            Assert.Equal(source[keep[i]].Label, data.Labels(Split.Dev)[i]);
        }
        Assert.True(truncated, "no dev row was long enough to test truncation");
    }

    [Fact]
    public void BatchesArePaddedWithAMaskAndEvalBatchesKeepOrder()
    {
        var data = ClassificationData.Create(TaskName.SpamHam, bases.Encoder, 24, maxTrain: 10, maxEval: 11, seed: 1);
        int index = 0;
        var batches = data.EvalBatches(Split.Test, 4).ToList();
        Assert.Equal([4, 4, 3], batches.Select(x => (int)x.InputIds.shape[0]));
        foreach (var batch in batches)
        {
            var ids = batch.InputIds.data<long>().ToArray();
            var mask = batch.AttentionMask!.data<long>().ToArray();
            var labels = batch.Labels!.data<long>().ToArray();
            int B = (int)batch.InputIds.shape[0], T = (int)batch.InputIds.shape[1];
            Assert.Equal(ids.Length, mask.Length);
            for (int r = 0; r < B; r++, index++)
            {
                var row = data.Row(Split.Test, index);
                Assert.Equal(row, ids.Skip(r * T).Take(row.Count));
                Assert.All(ids.Skip(r * T + row.Count).Take(T - row.Count), id => Assert.Equal(0L, id));   // [PAD]
                Assert.Equal(Enumerable.Repeat(1L, row.Count).Concat(Enumerable.Repeat(0L, T - row.Count)), mask.Skip(r * T).Take(T));
                Assert.Equal(data.Labels(Split.Test)[index], labels[r]);
            }
            Assert.Equal(T, Enumerable.Range(index - B, B).Max(i => data.Row(Split.Test, i).Count));   // padded to the longest row
            batch.InputIds.Dispose(); batch.AttentionMask.Dispose(); batch.Labels.Dispose();
        }
        Assert.Equal(11, index);
    }

    [Fact]
    public void TrainBatchesVisitEveryExampleOncePerEpochInASeededOrder()
    {
        var data = ClassificationData.Create(TaskName.SpamHam, bases.Decoder, 16, maxTrain: 12, maxEval: 4);
        long[][] Epochs(int seed) => data.TrainBatches(4, seed).Take(6).Select(x => x.InputIds[.., 0].data<long>().ToArray()).ToArray();
        var a = Epochs(7);
        var firstTokens = Enumerable.Range(0, 12).Select(i => data.Row(Split.Train, i)[0]).Order().ToArray();
        Assert.Equal(firstTokens, a.Take(3).SelectMany(x => x).Order().ToArray());
        Assert.Equal(firstTokens, a.Skip(3).SelectMany(x => x).Order().ToArray());
        Assert.Equal(a, Epochs(7));
        Assert.NotEqual(a, Epochs(8));
    }

    [Fact]
    public void SubsampleIsDeterministicAndMajorityBaselineIsCounted()
    {
        var a = ClassificationData.Create(TaskName.SpamHam, bases.Encoder, 16, maxTrain: 50, maxEval: 30, seed: 4);
        var b = ClassificationData.Create(TaskName.SpamHam, bases.Encoder, 16, maxTrain: 50, maxEval: 30, seed: 4);
        var c = ClassificationData.Create(TaskName.SpamHam, bases.Encoder, 16, maxTrain: 50, maxEval: 30, seed: 5);
        Assert.Equal(50, a.TrainCount);
        Assert.Equal(30, a.TestCount);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => a.Row(Split.Train, i)), Enumerable.Range(0, 50).Select(i => b.Row(Split.Train, i)));
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => a.Row(Split.Train, i)), Enumerable.Range(0, 50).Select(i => c.Row(Split.Train, i)));
        Assert.Equal(["ham", "spam"], a.LabelNames);
        var train = a.Labels(Split.Train);
        int majority = train.Count(l => l == 1) > train.Count(l => l == 0) ? 1 : 0;
        Assert.Equal(a.Labels(Split.Dev).Count(l => l == majority) / 30.0, a.MajorityAccuracy(Split.Dev), 12);
        var full = ClassificationData.Subsample(7, null, 1);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], full);
    }

    [Fact]
    public void PTuningRowsPlaceThePromptTextAndMaskInsideClsSep()
    {
        var b = bases.Encoder;
        var data = ClassificationData.Create(TaskName.SpamHam, b, 32, maxTrain: 8, maxEval: 8);
        var template = Experiment.PTuningTemplate(b, 6);
        var batch = data.EvalBatches(Split.Dev, 8, template).First();
        var ids = batch.InputIds.data<long>().ToArray();
        int T = (int)batch.InputIds.shape[1];
        for (int r = 0; r < 8; r++)
        {
            var plain = data.Row(Split.Dev, r);                       // [CLS] text [SEP]
            var text = plain.Skip(1).Take(plain.Count - 2).ToArray();
            var n = Math.Min(text.Length, 32 - 6 - 3);
            long P = template.PseudoTokenId;
            long[] expected = [b.Tokenizer.ClsId, P, P, P, .. text.Take(n), P, P, P, b.Tokenizer.MaskId, b.Tokenizer.SepId];
            Assert.Equal(expected, ids.Skip(r * T).Take(expected.Length));
        }
    }

    [Fact]
    public void DecoderPTuningRowsEndBeforeTheLabelWord()
    {
        // On a decoder the row is the template without [MASK] and without end-of-text: the next token is the label word.
        var b = bases.Decoder;
        var data = ClassificationData.Create(TaskName.SpamHam, b, 32, maxTrain: 8, maxEval: 8);
        var template = Experiment.PTuningTemplate(b, 6);
        var batch = data.EvalBatches(Split.Dev, 8, template).First();
        var ids = batch.InputIds.data<long>().ToArray();
        var mask = batch.AttentionMask!.data<long>().ToArray();
        int T = (int)batch.InputIds.shape[1];
        long P = template.PseudoTokenId;
        for (int r = 0; r < 8; r++)
        {
            var plain = data.Row(Split.Dev, r);                       // text <|endoftext|>
            var text = plain.Take(plain.Count - 1).ToArray();
            var n = Math.Min(text.Length, 32 - 6);
            long[] expected = [P, P, P, .. text.Take(n), P, P, P];
            Assert.Equal(expected, ids.Skip(r * T).Take(expected.Length));
            Assert.Equal(expected.Length, mask.Skip(r * T).Take(T).Sum());
        }
    }

    [Fact]
    public void BadInputsSayWhatToChange()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassificationData.Create(TaskName.EmailSubject, bases.Encoder));
        Assert.Contains("SpamHam", e.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationData.Create(TaskName.SpamHam, bases.Encoder, maxLength: 500));
        Assert.Contains("96 positions", e2.Message);
        var dec = ClassificationData.Create(TaskName.SpamHam, bases.Decoder, 16, maxTrain: 4, maxEval: 4);
        var maskInside = new PTuningTemplate([TemplatePart.Prompt(2), TemplatePart.Mask, TemplatePart.Input(0)], 5, 4);
        var e3 = Assert.Throws<ArgumentException>(() => dec.EvalBatches(Split.Dev, 4, maskInside).First());
        Assert.Contains("TemplatePart.Mask must be the template's last part", e3.Message);
        var enc = ClassificationData.Create(TaskName.SpamHam, bases.Encoder, 16, maxTrain: 4, maxEval: 4);
        var noMask = new PTuningTemplate([TemplatePart.Prompt(2), TemplatePart.Input(0)], 5, 4);
        Assert.Contains("TemplatePart.Mask", Assert.Throws<ArgumentException>(() => enc.TrainBatches(2, 1, noMask).First()).Message);
        var tooLong = Experiment.PTuningTemplate(bases.Encoder, 14);
        Assert.Contains("no room for text", Assert.Throws<ArgumentException>(() => enc.TrainBatches(2, 1, tooLong).First()).Message);
    }
}

/// <summary>P-Tuning v1's default label words, on vocabularies built to have or lack them (no torch).</summary>
public sealed class DefaultVerbalizerTests
{
    static PeftKit.Text.CompactTokenizer Vocab(string text) => PeftKit.Text.CompactTokenizer.Build([text], 300);

    [Fact]
    public void ClassNamesWhenSingleTokensElseTheFirstFallbackPairElseAMessage()
    {
        var names = new[] { "ham", "spam" };
        var withNames = Vocab(string.Concat(Enumerable.Repeat(" ham spam no yes", 20)));
        Assert.Equal(withNames.Encode(" ham").Concat(withNames.Encode(" spam")).Select(i => (long)i),
            ClassificationData.DefaultVerbalizer(withNames, TaskName.SpamHam, names).LabelTokenIds);

        var noYesMissing = Vocab(string.Concat(Enumerable.Repeat(" no false true good bad", 20)));   // no ' yes': the second pair
        Assert.Equal(noYesMissing.Encode(" false").Concat(noYesMissing.Encode(" true")).Select(i => (long)i),
            ClassificationData.DefaultVerbalizer(noYesMissing, TaskName.SpamHam, names).LabelTokenIds);

        var none = Vocab(string.Concat(Enumerable.Repeat(" whale ship sea", 20)));
        var e = Assert.Throws<InvalidOperationException>(() => ClassificationData.DefaultVerbalizer(none, TaskName.SpamHam, names));
        Assert.Contains("RunSpec.Verbalizer", e.Message);
        Assert.Contains("' no'/' yes'", e.Message);
    }
}
