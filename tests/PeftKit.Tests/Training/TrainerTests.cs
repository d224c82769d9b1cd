using PeftKit.Training;
using TorchSharp.Modules;
using Batch = (TorchSharp.torch.Tensor X, TorchSharp.torch.Tensor Y);

namespace PeftKit.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class TrainerTests
{
    [Fact]
    public void FrozenParametersStayBitIdenticalAndGetNoOptimizerState()
    {
        var data = Tiny.Regression(16, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        using var frozen = new Parameter(randn(3, 1, dtype: ScalarType.Float64), requires_grad: false);
        var frozenBefore = Tiny.Values(frozen);
        var biasBefore = Tiny.Values(model.bias);
        Tensor Loss(Batch b) => (model.Forward(b.X) + b.X.matmul(frozen) - b.Y).pow(2).mean();
        using var trainer = new Trainer<Batch>(Tiny.Config(10) with { WeightDecay = 0.1 },
            [("frozen.weight", frozen), .. model.Named()], Loss);

        Assert.Equal(["frozen.weight"], trainer.FrozenParameterNames);
        var handles = trainer.Optimizer.parameters().Select(p => p.Handle).ToArray();
        Assert.Equal(2, handles.Length);
        Assert.DoesNotContain(frozen.Handle, handles);
        Assert.Equal(2, trainer.Optimizer.state_dict().State.Count);

        var history = trainer.Train([data]);
        Assert.Equal(frozenBefore, Tiny.Values(frozen));
        Assert.Null(frozen.grad);
        Assert.NotEqual(biasBefore, Tiny.Values(model.bias));
        Assert.Equal(3, history.FrozenParameters);
        Assert.Equal(4, history.TrainableParameters);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        var data = Tiny.Regression(16, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        // Scripted metric: best at the 3rd evaluation (step 6), then two evaluations without improvement.
        double[] script = [5, 4, 3, 3.5, 3.2, 1, 1, 1];
        var calls = 0;
        var seen = new List<double[]>();
        var config = Tiny.Config(100) with { EvalEvery = 2, EarlyStoppingPatience = 2, KeepBestCheckpoint = true, Metric = "val" };
        using var trainer = new Trainer<Batch>(config, model.Named(), model.MseLoss, () =>
        {
            seen.Add(Tiny.Values(model.weight));
            return new Dictionary<string, double> { ["val"] = script[calls++] };
        });
        var history = trainer.Train([data]);

        Assert.Equal(StopReason.EarlyStopping, history.StopReason);
        Assert.Equal(10, history.Steps.Count);
        Assert.Equal([2, 4, 6, 8, 10], history.Evals.Select(e => e.Step));
        Assert.Equal(6, history.BestStep);
        Assert.Equal(3, history.BestMetric);
        Assert.True(history.RestoredBest);
        Assert.Equal(seen[2], Tiny.Values(model.weight));
        Assert.NotEqual(seen[4], seen[2]);
    }

    [Fact]
    public void MaximizeWithMinDeltaNeedsAClearImprovement()
    {
        var data = Tiny.Regression(16, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        double[] script = [0.5, 0.6, 0.6, 0.61, 0.9];
        var calls = 0;
        var config = Tiny.Config(100) with
        {
            EvalEvery = 1, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 0.05, Goal = MetricGoal.Maximize, Metric = "acc",
        };
        using var trainer = new Trainer<Batch>(config, model.Named(), model.MseLoss,
            () => new Dictionary<string, double> { ["acc"] = script[calls++] });
        var history = trainer.Train([data]);
        Assert.Equal(4, history.Steps.Count);   // 0.6 at step 2 is best; 0.6 and 0.61 are not > 0.65
        Assert.Equal(2, history.BestStep);
        Assert.False(history.RestoredBest);   // KeepBestCheckpoint is off
    }

    [Theory]
    [InlineData(3, 10, new[] { 3, 6, 9, 10 })]
    [InlineData(5, 10, new[] { 5, 10 })]
    [InlineData(null, 10, new[] { 10 })]
    public void EvaluatesEveryNStepsAndAfterTheLast(int? every, int steps, int[] expected)
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        var calls = new List<int>();
        var history = default(TrainingHistory);
        using var trainer = new Trainer<Batch>(Tiny.Config(steps) with { EvalEvery = every, LogEvery = 4 }, model.Named(), model.MseLoss,
            () => { calls.Add(history is null ? 0 : -1); return new Dictionary<string, double> { ["loss"] = 1 }; });
        history = trainer.Train([data]);
        Assert.Equal(expected, history.Evals.Select(e => e.Step));
        Assert.Equal(expected.Length, calls.Count);
    }

    [Fact]
    public void NaNLossStopsWithTheStepAndTheLastFiniteLoss()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        var calls = 0;
        // The 7th loss is NaN; logging every 5 steps, the trainer notices at the flush after step 10 but names step 7.
        Tensor Loss(Batch b) => ++calls == 7 ? model.MseLoss(b) * double.NaN : model.MseLoss(b);
        using var trainer = new Trainer<Batch>(Tiny.Config(50) with { LogEvery = 5 }, model.Named(), Loss);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train([data]));
        Assert.Equal(7, e.Step);
        Assert.Equal(6, e.LastFiniteStep);
        Assert.Equal(e.History.Steps[5].Loss, e.LastFiniteLoss);
        Assert.Equal(7, e.History.Steps.Count);
        Assert.StartsWith("Training diverged: the loss at step 7 is NaN (last finite loss ", e.Message);
        Assert.Contains("at step 6; learning rate 0.05", e.Message);
        Assert.Contains("lower learning rate", e.Message);
        Assert.Contains("enable gradient clipping (TrainerConfig.MaxGradNorm = 1.0)", e.Message);
        Assert.Equal(10, calls);   // no more than LogEvery − 1 steps ran past the divergence
    }

    [Fact]
    public void InfiniteLossOnTheFirstStepSaysNoStepWasFinite()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        using var trainer = new Trainer<Batch>(Tiny.Config(5) with { MaxGradNorm = 1 }, model.Named(), b => model.MseLoss(b) * double.PositiveInfinity);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train([data]));
        Assert.Equal(1, e.Step);
        Assert.Null(e.LastFiniteStep);
        Assert.Contains("step 1 is +Infinity (no earlier step had a finite loss", e.Message);
        Assert.Contains("smaller TrainerConfig.MaxGradNorm", e.Message);
    }

    [Fact]
    public void SameSeedGivesTheSameLossCurveBitForBit()
    {
        double[] Run(int trainerSeed)
        {
            KitTorch.Setup();
            // Two Gaussian blobs in 4-D, labels 0/1; an MLP with dropout so the trainer's seed matters.
            manual_seed(100);
            var x = cat([randn(64, 4) + 1, randn(64, 4) - 1]);                               // (128, 4)
            var y = cat([zeros(64, dtype: ScalarType.Int64), ones(64, dtype: ScalarType.Int64)]); // (128)
            var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("act", nn.ReLU()), ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(16, 2)));
            model.train();
            var perm = randperm(128);                                                             // shuffled once, from seed 100
            var batches = Enumerable.Range(0, 4).Select(i =>
            {
                var idx = perm.narrow(0, i * 32, 32);
                return (x.index_select(0, idx), y.index_select(0, idx));
            }).ToArray();
            using var trainer = new Trainer<(Tensor, Tensor)>(
                new TrainerConfig { LearningRate = 0.02, MaxEpochs = 10, WarmupSteps = 5, Seed = trainerSeed, LogEvery = 7 },
                model.named_parameters(), b => nn.functional.cross_entropy(model.forward(b.Item1), b.Item2));
            return trainer.Train(batches).TrainLoss;
        }

        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(40, a.Length);
        Assert.Equal(a, b);                       // exact double equality, element by element
        Assert.NotEqual(a, c);                    // a different seed changes the dropout masks
        Assert.True(a.TakeLast(8).Average() < 0.5 * a[0], $"the classifier learned: first loss {a[0]}, last {a[^1]}");
    }

    [Fact]
    public void TheScheduleReachesTheHistoryAndStopsAtMaxEpochs()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        var config = new TrainerConfig
        {
            LearningRate = 0.01, WarmupSteps = 2, MaxEpochs = 3, MinLearningRate = 0.001, Decay = LearningRateDecay.Cosine, LogEvery = 2,
        };
        using var trainer = new Trainer<Batch>(config, model.Named(), model.MseLoss);
        var history = trainer.Train([Tiny.Slice(data, 0, 4), Tiny.Slice(data, 4, 8)]);
        Assert.Equal(StopReason.MaxEpochs, history.StopReason);
        Assert.Equal([1, 1, 2, 2, 3, 3], history.Steps.Select(s => s.Epoch));
        var expected = Enumerable.Range(1, 6).Select(s => LearningRateSchedule.At(s, 6, 0.01, 2, LearningRateDecay.Cosine, 0.001));
        Assert.Equal(expected, history.LearningRates);
        Assert.Equal(0.001, history.LearningRates[^1], 1e-18);
    }

    [Fact]
    public void BadInputsGiveMessagesThatSayWhatToDo()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        Assert.Contains("must return a scalar (reduce with .mean())", Assert.Throws<InvalidOperationException>(() =>
            new Trainer<Batch>(Tiny.Config(2), model.Named(), b => model.Forward(b.X)).Train([data])).Message);
        Assert.Contains("pass an evaluator", Assert.Throws<ArgumentException>(() =>
            new Trainer<Batch>(Tiny.Config(2) with { KeepBestCheckpoint = true }, model.Named(), model.MseLoss)).Message);
        Assert.Contains("The evaluator returned no metric 'accuracy' (it returned: loss). Set TrainerConfig.Metric",
            Assert.Throws<InvalidOperationException>(() => new Trainer<Batch>(
                Tiny.Config(2) with { EarlyStoppingPatience = 1, Metric = "accuracy" }, model.Named(), model.MseLoss,
                () => new Dictionary<string, double> { ["loss"] = 1 }).Train([data])).Message);
        Assert.Contains("pass the batches as a list/array, or set MaxSteps", Assert.Throws<ArgumentException>(() =>
            new Trainer<Batch>(new TrainerConfig { MaxEpochs = 1 }, model.Named(), model.MseLoss).Train(Lazy(data))).Message);
        Assert.Contains("Parameter name 'weight' appears 2 times", Assert.Throws<ArgumentException>(() =>
            new Trainer<Batch>(Tiny.Config(2), [.. model.Named(), ("weight", model.weight)], model.MseLoss)).Message);
        using var frozen = new Parameter(zeros(1), requires_grad: false);
        Assert.Contains("nothing to train", Assert.Throws<ArgumentException>(() =>
            new Trainer<Batch>(Tiny.Config(2), [("f", frozen)], model.MseLoss)).Message);
        var once = new Trainer<Batch>(Tiny.Config(1), model.Named(), model.MseLoss);
        once.Train([data]);
        Assert.Contains("create a new Trainer", Assert.Throws<InvalidOperationException>(() => once.Train([data])).Message);
        once.Dispose();
    }

    static IEnumerable<Batch> Lazy(Batch b)
    {
        yield return b;
    }

    [Fact]
    public void CancellationReturnsTheHistorySoFar()
    {
        var data = Tiny.Regression(8, seed: 1);
        using var model = new Tiny.Linear(3, 1, seed: 2);
        using var cts = new CancellationTokenSource();
        var calls = 0;
        using var trainer = new Trainer<Batch>(Tiny.Config(100), model.Named(), b => { if (++calls == 3) cts.Cancel(); return model.MseLoss(b); });
        var history = trainer.Train([data], cts.Token);
        Assert.Equal(StopReason.Cancelled, history.StopReason);
        Assert.Equal(3, history.Steps.Count);
    }
}
