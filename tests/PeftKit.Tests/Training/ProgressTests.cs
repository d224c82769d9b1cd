using PeftKit.Training;

namespace PeftKit.Tests.Training;

public sealed class ProgressTests
{
    static TrainingEvent Log(int step, double loss) => new(TrainingEventKind.Log, step, 100, 1, loss, 1e-3, 1234.6,
        TimeSpan.FromSeconds(step), TimeSpan.FromSeconds(100 - step));

    static TrainingEvent Eval(int step, bool best) => new(TrainingEventKind.Eval, step, 100, 1, null, 1e-3, null,
        TimeSpan.FromSeconds(step), null, new Dictionary<string, double> { ["loss"] = 2.5, ["acc"] = 0.75 }, best);

    static readonly TrainingEvent Done = new(TrainingEventKind.Finished, 100, 100, 1, 1, 0, null, TimeSpan.FromSeconds(100), TimeSpan.Zero,
        Message: "Stopped after 100 steps (MaxSteps) in 100.0 s.");

    [Fact]
    public void ConsoleLiveLineRewritesWithCarriageReturn()
    {
        var w = new StringWriter { NewLine = "\n" };
        var p = new ConsoleProgress(w, liveLine: true);
        p.Report(Log(10, 2.0));
        p.Report(Log(20, 1.5));
        p.Report(Eval(20, best: true));
        p.Report(Done);
        Assert.Equal(
            "\rstep 10/100 (10%) | epoch 1 | loss 2.0000 | lr 1.00e-03 | 1,235 tok/s | ETA 01:30" +
            "\rstep 20/100 (20%) | epoch 1 | loss 1.5000 | lr 1.00e-03 | 1,235 tok/s | ETA 01:20\n" +
            "eval @ step 20: loss 2.5000 acc 0.7500 (best)\n" +
            "Stopped after 100 steps (MaxSteps) in 100.0 s.\n", w.ToString());
    }

    [Fact]
    public void ConsoleRedirectedWritesPlainLines()
    {
        var w = new StringWriter { NewLine = "\n" };
        var p = new ConsoleProgress(w, liveLine: false);
        p.Report(Log(10, 2.0));
        p.Report(Log(20, 1.5));
        var text = w.ToString();
        Assert.DoesNotContain('\r', text);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void NotebookWritesOneLinePerEvaluation()
    {
        var w = new StringWriter { NewLine = "\n" };
        var p = new NotebookProgress(w);
        p.Report(Log(10, 2.0));
        p.Report(Log(20, 1.0));
        p.Report(Eval(20, best: true));
        p.Report(Log(30, 0.5));
        p.Report(Eval(30, best: false));
        p.Report(Done);
        Assert.Equal(
            "step 20/100 | train loss 1.5000 | loss 2.5000 acc 0.7500 (best) | 00:20\n" +
            "step 30/100 | train loss 0.5000 | loss 2.5000 acc 0.7500 | 00:30\n" +
            "Stopped after 100 steps (MaxSteps) in 100.0 s.\n", w.ToString());
    }
}
