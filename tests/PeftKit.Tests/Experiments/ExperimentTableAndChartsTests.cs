using PeftKit.Charts;
using PeftKit.Experiments;
using PeftKit.Methods.Baselines;
using PeftKit.Training;

namespace PeftKit.Tests.Experiments;

/// <summary>Tables and charts from hand-made results (no training): every figure lands in its column and on its axis.</summary>
public sealed class ExperimentTableAndChartsTests
{
    static RunResult Result(string label, long trainable, double test, double[] losses, (int step, double acc)[] evals) => new()
    {
        Label = label, Method = "lora", Seed = 42, BaseName = "tiny-bert", Spec = new RunSpec { Label = label, Method = new LinearProbe() }, SavedParameters = 30_000,
        TrainableParameters = trainable, TotalParameters = 4_000_000, AdapterBytes = 123_456, DevAccuracy = 0.8126, TestAccuracy = test,
        BestStep = 50, StepMsMedian = 12.34, Seconds = 5.5, PeakResidentBytes = 900L << 20, PeakIncreaseBytes = 3L << 20,
        History = new TrainingHistory
        {
            Steps = [.. losses.Select((l, i) => new TrainStepRecord(i + 1, 1, l, 1e-3, null, 0, i * 0.01))],
            Evals = [.. evals.Select(e => new EvalRecord(e.step, 1, 0, new Dictionary<string, double> { ["accuracy"] = e.acc }))],
        },
    };

    [Fact]
    public void HtmlAndMarkdownHoldEveryFigureInItsColumn()
    {
        var runs = new[] { Result("LoRA r=8", 40_000, 0.9375, [1, 0.5], [(50, 0.8125)]), Result("a|b", 2_000_000, 0.5, [1], [(1, 0.5)]) };
        var md = ExperimentTable.Markdown(runs).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, md.Length);
        var cells = md[2].Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
        Assert.Equal(ExperimentTable.Columns.Count, cells.Length);
        string Cell(string column) => cells[ExperimentTable.Columns.ToList().IndexOf(column)];
        Assert.Equal("LoRA r=8", Cell("run"));
        Assert.Equal("40,000", Cell("trainable"));
        Assert.Equal("1.0", Cell("trainable %"));       // 40,000 / 4,000,000
        Assert.Equal("0.813", Cell("dev acc"));
        Assert.Equal("0.938", Cell("test acc"));
        Assert.Equal("12.3", Cell("step ms"));
        Assert.Equal("3", Cell("peak +MiB"));
        Assert.Equal("123,456", Cell("adapter bytes"));
        Assert.StartsWith("| a\\|b |", md[3]);           // a pipe in a label is escaped
        var html = ExperimentTable.Html(runs);
        Assert.Equal(3, html.Split("<tr>").Length - 1);  // header + 2 rows
        Assert.Contains("<td style=\"text-align:left\">LoRA r=8</td>", html);
    }

    [Fact]
    public void ChartsCarryTheirTitlesAxesAndData()
    {
        var runs = new[] { Result("A", 1_000, 0.9, [4, 2, 0], [(1, 0.5), (3, 0.75)]), Result("B", 100_000, 0.8, [1, 1, 1], [(3, 0.6)]) };
        string Json(Chart c) => c.ToFigureJson();
        var scatter = Json(ExperimentCharts.AccuracyVsParameters(runs, "what to see"));
        Assert.Contains("what to see", scatter);
        Assert.Contains("\"type\":\"log\"", scatter);
        Assert.Contains("trainable parameters (log scale)", scatter);
        Assert.Contains("100000", scatter);
        var dev = Json(ExperimentCharts.DevAccuracyCurves(runs, "dev"));
        Assert.Contains("0.75", dev);
        Assert.Contains("dev accuracy", dev);
        var loss = Json(ExperimentCharts.TrainingCurves(runs, "loss"));
        Assert.Contains("[4.0,3.0,2.0]", loss.Replace(" ", ""));   // running means of 4, 2, 0
        Assert.Contains("optimizer step", loss);
        var sweep = Json(ExperimentCharts.Sweep("rank r", [(1, 0.5), (8, 0.7)], "test accuracy", "sweep", logX: true));
        Assert.Contains("rank r", sweep);
        Assert.Contains("\"type\":\"log\"", sweep);
        Assert.Contains("needs every x above 0", Assert.Throws<ArgumentException>(() => ExperimentCharts.Sweep("x", [(0, 1)], "y", "t", logX: true)).Message);
        Assert.Contains("at least one run", Assert.Throws<ArgumentException>(() => ExperimentCharts.TrainingCurves([], "t")).Message);
        var bars = Json(ExperimentCharts.Bars(runs, r => r.StepMsMedian, "step ms", "bars"));
        Assert.Contains("12.34", bars);
    }

    [Fact]
    public void RunningMeanAveragesTheLastWindow()
    {
        Assert.Equal([1.0, 1.5, 2.0, 3.0, 4.0], ExperimentCharts.RunningMean([1, 2, 3, 4, 5], 3));
    }
}
