using PeftKit.Experiments;
using PeftKit.Measurement;
using PeftKit.Methods.Baselines;
using PeftKit.Training;

namespace PeftKit.Tests.Experiments;

/// <summary><see cref="SeededRuns"/> and <see cref="PairedFinding"/>: the findings tables every seeded notebook prints.</summary>
public sealed class SeededRunsTests
{
    static readonly int[] Seeds = [42, 43, 44];

    static RunResult Result(string arm, int seed, double test, double dev = 0.9, long trainable = 512) => new()
    {
        Label = arm, Method = "linear-probe", Seed = seed, TrainableParameters = trainable, TotalParameters = 10_000,
        SavedParameters = trainable, AdapterBytes = 0, BestStep = 100, StepMsMedian = 1, Seconds = 1, PeakResidentBytes = 0,
        PeakIncreaseBytes = 0, History = new TrainingHistory(), BaseName = "tiny-gpt",
        Spec = new RunSpec { Label = arm, Method = new LinearProbe() }, DevAccuracy = dev, TestAccuracy = test,
    };

    static bool[] Answers(int n, double p, int seed) { var rng = new Random(seed); return [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() < p)]; }

    static void AddAll(SeededRuns runs, string arm, double p, int salt, IEnumerable<int>? order = null)
    {
        foreach (var s in order ?? Seeds)
        {
            var correct = Answers(200, p, s + salt);
            runs.Add(arm, s, Result(arm, s, correct.Count(c => c) / 200.0), correct);
        }
    }

    [Fact]
    public void CompareGivesTheSeededComparisonOfTheRecordedAnswersInSeedOrder()
    {
        // Arm B's runs are added out of seed order: pairing seed 44's answers with seed 42's would change the per-seed
        // gaps, so they must equal SeededComparison.Of over the answers listed in seed order, to the bit.
        var runs = new SeededRuns(Seeds, majority: 0.77);
        AddAll(runs, "A", 0.7, salt: 0);
        AddAll(runs, "B", 0.8, salt: 100, order: [44, 42, 43]);
        var expected = SeededComparison.Of(Seeds, [.. Seeds.Select(s => Answers(200, 0.7, s))], [.. Seeds.Select(s => Answers(200, 0.8, s + 100))]);
        var finding = runs.Compare("B", "A", g => g.ForImprovement());
        Assert.Equal("B − A", finding.Name);
        Assert.Equal(expected.PerSeedGaps, finding.Gap.PerSeedGaps);
        Assert.Equal((expected.MeanDifference, expected.Low, expected.High), (finding.Gap.MeanDifference, finding.Gap.Low, finding.Gap.High));
        Assert.Equal(expected.ForImprovement(), finding.Verdict);
        Assert.Equal($"B − A: {expected} → {expected.ForImprovement().ToWords()}", finding.ToString());
    }

    [Fact]
    public void AnArmHasLearnedOnlyWhenEverySeedBeatsTheMajorityAnswer()
    {
        var runs = new SeededRuns(Seeds, majority: 0.77);
        foreach (var (s, acc) in Seeds.Zip([0.80, 0.90, 0.77])) runs.Add("at the majority once", s, Result("x", s, acc), [true]);
        foreach (var (s, acc) in Seeds.Zip([0.78, 0.771, 0.99])) runs.Add("above on every seed", s, Result("y", s, acc), [true]);
        Assert.False(runs.Learned("at the majority once"));
        Assert.True(runs.Learned("above on every seed"));
    }

    [Fact]
    public void TheSeedTableShowsEachSeedTheMeanAndSpreadTheDevMeanAndTheTrainableCount()
    {
        var runs = new SeededRuns(Seeds, majority: 0.5);
        foreach (var (s, test, dev) in new[] { (42, 0.90, 0.91), (43, 0.92, 0.93), (44, 0.97, 0.95) })
            runs.Add("LoRA", s, Result("LoRA", s, test, dev, trainable: 33_280), [true]);
        var html = System.Net.WebUtility.HtmlDecode(runs.SeedTable("LoRA"));
        // Mean 93.0, sample sd √((3² + 1² + 4²)/2) = √13 ≈ 3.6; dev mean 93.0 %.
        foreach (var cell in new[] { "90.0 %", "92.0 %", "97.0 %", "93.0 ± 3.6 %", "93.0 %", "33,280", "test, seed 44" })
            Assert.Contains(cell, html);
    }

    [Fact]
    public void TheTableHasOneRowPerSeedWithTheMcNemarCountsAndTheVerdictOnce()
    {
        var runs = new SeededRuns(Seeds, majority: 0.5);
        AddAll(runs, "A", 0.6, salt: 0);
        AddAll(runs, "B", 0.9, salt: 100);
        var finding = runs.Compare("B", "A", g => g.ForImprovement());
        var html = PairedFinding.Table([finding]);
        var rows = html.Split("<tr>").Skip(2).ToArray();   // before the first: the table tag; then the header row
        Assert.Equal(3, rows.Length);
        for (int k = 0; k < 3; k++)
        {
            var p = finding.Gap.PerSeed[k];
            Assert.Contains($">{Seeds[k]}<", rows[k]);
            Assert.Contains($">{p.OnlyB}<", rows[k]);
            Assert.Contains($">{p.OnlyA}<", rows[k]);
            Assert.Equal(k == 0, rows[k].Contains(">reproduces<"));
        }
        Assert.Contains("gap in accuracy (points)", html);
        Assert.Contains("test e-mails right only with the first arm", html);
    }

    [Fact]
    public void AMeanComparisonHasNoMcNemarColumnsAndKeepsItsUnit()
    {
        double[][] a = [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], b = [[0.5, 1.5], [0.5, 1.5], [0.5, 1.5]];
        var gap = SeededComparison.OfMeans(Seeds, a, b, "test loss", unit: "nats", higherIsBetter: false);
        var html = PairedFinding.Table([new PairedFinding("B − A", gap, gap.ForImprovement())], examples: "subjects");
        Assert.Contains("gap in test loss (nats)", html);
        Assert.Contains(">−0.500<", html);
        Assert.Contains(">–<", html);
        var accuracy = SeededComparison.Of(Seeds, [[true, false], [true, false], [true, false]], [[true, true], [true, true], [true, true]]);
        var mixed = Assert.Throws<ArgumentException>(() => PairedFinding.Table([new("loss", gap, gap.ForImprovement()), new("accuracy", accuracy, accuracy.ForImprovement())]));
        Assert.Contains("in nats and points", mixed.Message);
    }

    [Fact]
    public void BadRunsAreRefusedWithTheReason()
    {
        var runs = new SeededRuns(Seeds, majority: 0.5);
        runs.Add("A", 42, Result("A", 42, 0.9), [true, false]);
        Assert.Contains("not one of this experiment's seeds", Assert.Throws<ArgumentException>(() => runs.Add("A", 7, Result("A", 7, 0.9), [true, true])).Message);
        Assert.Contains("already has a run with seed 42", Assert.Throws<ArgumentException>(() => runs.Add("A", 42, Result("A", 42, 0.9), [true, true])).Message);
        Assert.Contains("scored on 3 test examples, the runs before on 2", Assert.Throws<ArgumentException>(() => runs.Add("B", 42, Result("B", 42, 0.9), [true, true, true])).Message);
        Assert.Contains("the arms recorded are: A", Assert.Throws<ArgumentException>(() => runs.Of("C", 42)).Message);
        Assert.Contains("no seed twice", Assert.Throws<ArgumentException>(() => new SeededRuns([42, 42], 0.5)).Message);
    }
}
