using PeftKit.Training;

namespace PeftKit.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class GradientAccumulationTests
{
    // Everything is float64, and the two runs differ only in summation order (a mean of 8 squared errors vs a
    // mean of four means of 2), ~1e-16 relative per step. AdamW's update is smooth in g away from g = 0, so after
    // 5 steps the parameters agree far inside 1e-12; a wrong scaling (e.g. forgetting the 1/k) would move them by
    // ~1e-2 at lr 0.05 with ε = 1e-3.
    const double Tol = 1e-12;

    static TrainerConfig Config(int steps, int accumulation) => Tiny.Config(steps) with
    {
        AccumulationSteps = accumulation, Epsilon = 1e-3, MaxGradNorm = 10,
    };

    [Fact]
    public void FourMicroBatchesEqualOneBigBatch()
    {
        var data = Tiny.Regression(8, seed: 3);
        using var big = new Tiny.Linear(3, 1, seed: 11);
        using var small = new Tiny.Linear(3, 1, seed: 11);

        using var t1 = new Trainer<(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)>(Config(5, 1), big.Named(), big.MseLoss);
        var h1 = t1.Train([data]);
        using var t4 = new Trainer<(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)>(Config(5, 4), small.Named(), small.MseLoss);
        var h4 = t4.Train([Tiny.Slice(data, 0, 2), Tiny.Slice(data, 2, 4), Tiny.Slice(data, 4, 6), Tiny.Slice(data, 6, 8)]);

        Assert.Equal(5, h4.Steps.Count);
        Assert.Equal(h1.TrainLoss, h4.TrainLoss, (x, y) => Math.Abs(x - y) < Tol);
        Assert.Equal(h1.Steps.Select(s => s.GradNorm!.Value), h4.Steps.Select(s => s.GradNorm!.Value), (x, y) => Math.Abs(x - y) < Tol);
        Assert.Equal(Tiny.Values(big.weight), Tiny.Values(small.weight), (x, y) => Math.Abs(x - y) < Tol);
        Assert.Equal(Tiny.Values(big.bias), Tiny.Values(small.bias), (x, y) => Math.Abs(x - y) < Tol);
        using var untouched = new Tiny.Linear(3, 1, seed: 11);
        Assert.True(Math.Abs(Tiny.Values(big.weight)[0] - Tiny.Values(untouched.weight)[0]) > 0.01,
            "training moved the weights (the comparison is not between two untouched models)");
    }

    [Fact]
    public void AShortLastGroupOfAnEpochIsTheMeanOfWhatItHas()
    {
        // Three equal micro-batches with k = 2: step 1 = mean of b1, b2; step 2 = b3 alone (rescaled by k/1).
        var data = Tiny.Regression(6, seed: 5);
        using var grouped = new Tiny.Linear(3, 1, seed: 13);
        using var manual = new Tiny.Linear(3, 1, seed: 13);
        using var t2 = new Trainer<(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)>(Config(2, 2) with { MaxSteps = null, MaxEpochs = 1 },
            grouped.Named(), grouped.MseLoss);
        var h2 = t2.Train(new[] { Tiny.Slice(data, 0, 2), Tiny.Slice(data, 2, 4), Tiny.Slice(data, 4, 6) });
        using var t1 = new Trainer<(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)>(Config(2, 1), manual.Named(), manual.MseLoss);
        var h1 = t1.Train([Tiny.Slice(data, 0, 4), Tiny.Slice(data, 4, 6)]);

        Assert.Equal(StopReason.MaxEpochs, h2.StopReason);
        Assert.Equal(h1.TrainLoss, h2.TrainLoss, (x, y) => Math.Abs(x - y) < Tol);
        Assert.Equal(Tiny.Values(manual.weight), Tiny.Values(grouped.weight), (x, y) => Math.Abs(x - y) < Tol);
    }
}
