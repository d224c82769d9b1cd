using PeftKit.Data;
using PeftKit.Experiments;
using PeftKit.Methods.Baselines;
using PeftKit.Methods.PromptTuning;
using PeftKit.Methods.PTuning;
using PeftKit.Methods.PTuningV2;

namespace PeftKit.Tests.Experiments;

/// <summary>
/// T4 token labelling: each word's label sits where the model has read the word and the start of the next one (the
/// encoder's last subword token of the word, the decoder's first token of the next word) and nothing else is scored; rows keep whole
/// words; the scores are the standard per-label F1; a run trains and scores every method with a head, prompt methods
/// included (their virtual positions are not labelled).
/// </summary>
[Collection(ExperimentsCollection.Name)]
public sealed class TokenLabelTests(SmallBases bases)
{
    [Theory]
    [InlineData(ModelKind.Encoder)]
    [InlineData(ModelKind.Decoder)]
    public void EachWordsLabelSitsWhereTheNextWordHasBeenSeenAndRowsKeepWholeWords(ModelKind kind)
    {
        var b = bases.Of(kind);
        var tok = b.Tokenizer;
        const int MaxLength = 48;
        bool encoder = kind == ModelKind.Encoder;
        var data = TokenLabelData.Create(TaskName.SotuPunctuation, b, MaxLength, maxTrain: 8, maxEval: 6, seed: 5);
        var source = KitData.TokenLabels(TaskName.SotuPunctuation, Split.Dev);
        var keep = ClassificationData.Subsample(source.Count, 6, 5 + (int)Split.Dev);
        Assert.Equal(6, data.Count(Split.Dev));
        var allLabels = data.WordLabels(Split.Dev);
        int word = 0;
        bool cut = false, multiToken = false;
        for (int i = 0; i < data.Count(Split.Dev); i++)
        {
            var (row, labelAt) = data.Row(Split.Dev, i);
            var example = source[keep[i]];
            Assert.True(row.Count <= MaxLength);
            Assert.Equal(encoder ? tok.SepId : tok.EndOfTextId, row[^1]);
            if (encoder) Assert.Equal(tok.ClsId, row[0]);
            // Rebuild the row word by word: the words kept are a prefix of the passage, each encoded as in running text.
            var expected = new List<long>();
            if (encoder) expected.Add(tok.ClsId);
            var starts = new List<int>();
            for (int w = 0; w < labelAt.Count; w++)
            {
                var ids = tok.Encode(w == 0 ? example.Words[w] : " " + example.Words[w]);
                multiToken |= ids.Count > 1;
                starts.Add(expected.Count);
                expected.AddRange(ids.Select(x => (long)x));
                if (encoder) Assert.Equal(expected.Count - 1, labelAt[w]);       // the encoder: on the word's last token
                Assert.Equal(example.Labels[w], allLabels[word++]);
            }
            bool passageCut = labelAt.Count < example.Words.Count;
            cut |= passageCut;
            if (!encoder)
            {
                // The decoder: on the next word's first token, which follows the kept words when the passage was cut.
                for (int w = 0; w + 1 < labelAt.Count; w++) Assert.Equal(starts[w + 1], labelAt[w]);
                Assert.Equal(expected.Count, labelAt[^1]);
                if (passageCut) expected.Add(tok.Encode(" " + example.Words[labelAt.Count])[0]);
            }
            Assert.Equal(expected, row.Take(row.Count - 1));
        }
        Assert.Equal(word, data.WordCount(Split.Dev));
        Assert.True(cut, "no passage was long enough to test the cut at a word boundary");
        Assert.True(multiToken, "no word had several tokens, so the label's position inside a word was not tested");

        // In a batch, exactly those positions carry labels; every other one (specials, other subwords, padding) is ignored.
        var batch = data.EvalBatches(Split.Dev, 6).Single();
        var labels = batch.Labels!.data<long>().ToArray();
        int T = (int)batch.Labels.shape[1];
        Assert.Equal(data.WordCount(Split.Dev), labels.Count(l => l != TokenLabelData.IgnoreLabel));
        for (int i = 0; i < 6; i++)
            foreach (var at in data.Row(Split.Dev, i).LabelAt) Assert.NotEqual(TokenLabelData.IgnoreLabel, labels[i * T + at]);
    }

    [Fact]
    public void ScoresAreTheStandardPerLabelF1AndASilentModelScoresZero()
    {
        int[] gold = [0, 0, 1, 2, 0, 3, 1, 0];
        int[] predicted = [0, 1, 1, 2, 0, 0, 0, 0];
        var s = TokenLabelScores.Of(predicted, gold, 4);
        Assert.Equal(5.0 / 8, s.Accuracy, 12);
        // label 1: predicted at 1, 2 (one right) → P 1/2; present at 2, 6 → R 1/2; F1 1/2. Label 2: P 1, R 1. Label 3: never predicted → 0.
        Assert.Equal([0.5, 1.0, 0.0], s.F1.Skip(1));
        Assert.Equal((0.5 + 1 + 0) / 3, s.MacroF1, 12);
        var silent = TokenLabelScores.Of([.. gold.Select(_ => 0)], gold, 4);
        Assert.Equal(0, silent.MacroF1);
        Assert.Equal(4.0 / 8, silent.Accuracy, 12);
        Assert.Contains("same words", Assert.Throws<ArgumentException>(() => TokenLabelScores.Of([0], gold, 4)).Message);
        Assert.Contains("Label 7", Assert.Throws<ArgumentException>(() => TokenLabelScores.Of([.. gold.Select(_ => 7)], gold, 4)).Message);
    }

    public static TheoryData<string> Methods() => ["full", "ptuning-v2", "prompt"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void ARunTrainsAndScoresEveryLabelledWordOfTheSplit(string method)
    {
        var b = bases.Encoder;
        var data = TokenLabelData.Create(TaskName.SotuPunctuation, b, 40, maxTrain: 16, maxEval: 8, seed: 2);
        PeftConfig config = method switch
        {
            "full" => new FullFineTune(),
            "ptuning-v2" => new PTuningV2Config(numVirtualTokens: 4),
            _ => new PromptTuningConfig(4),
        };
        var spec = new RunSpec { Label = method, Method = config, Steps = 4, BatchSize = 4, LearningRate = 1e-3, WarmupSteps = 0, EvalEvery = 2, Seed = 3 };
        var result = TokenLabelExperiment.Run(b, data, spec, null, out var model);
        try
        {
            Assert.Equal(data.WordCount(Split.Test), result.Test.Words);
            Assert.Equal(data.WordCount(Split.Dev), result.Dev.Words);
            Assert.Equal(method, result.Method);
            // The kept checkpoint's dev score is the best one the trainer saw, and Predict reproduces the test score.
            Assert.Equal(result.History.BestMetric, result.Dev.MacroF1);
            var predicted = TokenLabelExperiment.Predict(model, data, Split.Test);
            var rescored = TokenLabelScores.Of(predicted, data.WordLabels(Split.Test), 4);
            Assert.Equal(result.Test.MacroF1, rescored.MacroF1);
            Assert.Equal(result.Test.F1, rescored.F1);
            var correct = TokenLabelExperiment.Correct(model, data, Split.Test);
            Assert.Equal(result.Test.Accuracy, correct.Count(c => c) / (double)correct.Length, 12);
        }
        finally
        {
            var inner = model.Base;
            model.Dispose();
            inner.Dispose();
        }
    }

    [Fact]
    public void AWrongTaskAMethodWithoutAHeadOrDataOfAnotherBaseIsRefusedWithTheReason()
    {
        Assert.Contains("SotuPunctuation", Assert.Throws<ArgumentException>(() => TokenLabelData.Create(TaskName.SpamHam, bases.Encoder)).Message);
        var data = TokenLabelData.Create(TaskName.SotuPunctuation, bases.Encoder, 32, maxTrain: 4, maxEval: 4);
        var template = Experiment.PTuningTemplate(bases.Encoder, 4);
        var ptuning = new RunSpec { Label = "v1", Method = new PTuningConfig(template, PromptEncoderKind.Mlp), Steps = 1, WarmupSteps = 0 };
        Assert.Contains("label words", Assert.Throws<ArgumentException>(() => TokenLabelExperiment.Run(bases.Encoder, data, ptuning)).Message);
        var full = new RunSpec { Label = "full", Method = new FullFineTune(), Steps = 1, WarmupSteps = 0 };
        Assert.Contains("TokenLabelData.Create", Assert.Throws<ArgumentException>(() => TokenLabelExperiment.Run(bases.Decoder, data, full)).Message);
    }
}
