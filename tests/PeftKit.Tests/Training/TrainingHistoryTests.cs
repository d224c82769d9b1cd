using PeftKit.Training;
using Batch = (TorchSharp.torch.Tensor X, TorchSharp.torch.Tensor Y);
using PeftKit.Measurement;

namespace PeftKit.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class TrainingHistoryTests
{
    [Fact]
    public void RoundTripsThroughJsonWithEveryFigure()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        var evals = 0;
        using var trainer = new Trainer<Batch>(Tiny.Config(6) with { EvalEvery = 3, MaxGradNorm = 5 }, model.Named(), model.MseLoss,
            () => new Dictionary<string, double> { ["loss"] = 1.0 / ++evals, ["acc"] = 0.5 + evals / 10.0 }, tokenCount: b => b.X.shape[0]);
        var h = trainer.Train([data]);
        Assert.Equal(48, h.Steps.Sum(s => s.Tokens));
        Assert.True(h.TokensPerSecond > 0);
        Assert.True(h.PeakResidentBytes > 10_000_000, "a process running libtorch has a peak RSS above 10 MB");

        var back = TrainingHistory.FromJson(h.ToJson());
        Assert.Equal(h.Steps, back.Steps);   // records compare by value
        Assert.Equal(h.Evals.Select(e => (e.Step, e.Metrics["loss"], e.Metrics["acc"])), back.Evals.Select(e => (e.Step, e.Metrics["loss"], e.Metrics["acc"])));
        Assert.Equal((h.Seed, h.Device, h.StopReason, h.BestStep, h.BestMetric, h.TokensPerSecond, h.PeakResidentBytes),
            (back.Seed, back.Device, back.StopReason, back.BestStep, back.BestMetric, back.TokensPerSecond, back.PeakResidentBytes));
        Assert.Contains("\"StopReason\": \"MaxSteps\"", h.ToJson());
        Assert.Equal([3, 6], back.Metric("acc").Steps);
        Assert.Equal([0.6, 0.7], back.Metric("acc").Values);
        Assert.Contains("Reported: loss, acc", Assert.Throws<KeyNotFoundException>(() => back.Metric("f1")).Message);
    }

    [Fact]
    public void ADivergedHistoryWithNaNStillSerialises()
    {
        var h = new TrainingHistory { Steps = { new TrainStepRecord(1, 1, double.NaN, 0.1, null, 0, 0.5) } };
        Assert.True(double.IsNaN(TrainingHistory.FromJson(h.ToJson()).Steps[0].Loss));
    }

    [Fact]
    public void ParsesProcStatusLines()
    {
        Assert.Equal(123456, ProcessMemory.ParseKilobytes("VmHWM:\t  123456 kB"));
        Assert.Throws<FormatException>(() => ProcessMemory.ParseKilobytes("VmHWM: lots"));
    }
}
