using PeftKit.Training;
using TorchSharp.Modules;

namespace PeftKit.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class GradientClippingTests
{
    // Gradients [3, 4] (norm 5) and [12] (norm 12): global norm √(25 + 144) = 13.
    static (Parameter A, Parameter B) WithGrads()
    {
        KitTorch.Setup();
        var a = new Parameter(zeros(2, dtype: ScalarType.Float64));
        var b = new Parameter(zeros(1, dtype: ScalarType.Float64));
        ((a * tensor(new[] { 3.0, 4.0 }, dtype: ScalarType.Float64)).sum() + 12 * b.sum()).backward();
        return (a, b);
    }

    [Fact]
    public void CapsTheGlobalNormLikeTorch()
    {
        var (a, b) = WithGrads();
        using var total = Trainer<int>.ClipGradNorm([a, b], 1.3);
        Assert.Equal(13.0, total.item<double>(), 1e-14);
        // torch's rule: coef = max / (total + 1e-6), so the clipped norm is 1.3·13/(13 + 1e-6), just under 1.3.
        var coef = 1.3 / (13 + 1e-6);
        Assert.Equal(new[] { 3 * coef, 4 * coef }, Tiny.Values(a.grad!), (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal(12 * coef, Tiny.Values(b.grad!)[0], 1e-15);
        var clipped = Math.Sqrt(Tiny.Values(a.grad!).Concat(Tiny.Values(b.grad!)).Sum(g => g * g));
        Assert.InRange(clipped, 1.3 - 1e-6, 1.3);

        var (a2, b2) = WithGrads();
        var torchTotal = nn.utils.clip_grad_norm_([a2, b2], 1.3);
        Assert.Equal(torchTotal, total.item<double>(), 1e-14);
        Assert.Equal(Tiny.Values(a2.grad!), Tiny.Values(a.grad!), (x, y) => Math.Abs(x - y) < 1e-15);
    }

    [Fact]
    public void LeavesSmallGradientsBitIdentical()
    {
        var (a, b) = WithGrads();
        var before = Tiny.Values(a.grad!).Concat(Tiny.Values(b.grad!)).ToArray();
        using var _ = Trainer<int>.ClipGradNorm([a, b], 13.5);
        Assert.Equal(before, Tiny.Values(a.grad!).Concat(Tiny.Values(b.grad!)).ToArray());
    }

    [Fact]
    public void TrainerClipsBeforeTheUpdateAndRecordsThePreClipNorm()
    {
        // With ε = 1 Adam's first step is lr·g/(|g| + 1), which depends on the scale of g, so it shows whether the
        // optimizer saw the clipped gradient (g·coef) or the raw one.
        KitTorch.Setup();
        using var a = new Parameter(zeros(2, dtype: ScalarType.Float64));
        using var b = new Parameter(zeros(1, dtype: ScalarType.Float64));
        var config = new TrainerConfig { LearningRate = 0.1, Decay = LearningRateDecay.Constant, Epsilon = 1, WeightDecay = 0, MaxSteps = 1, MaxGradNorm = 1.3, LogEvery = 1 };
        using var trainer = new Trainer<int>(config, [("a", a), ("b", b)],
            _ => (a * tensor(new[] { 3.0, 4.0 }, dtype: ScalarType.Float64)).sum() + 12 * b.sum());
        var history = trainer.Train([0]);
        Assert.Equal(13.0, history.Steps[0].GradNorm!.Value, 1e-14);
        var coef = 1.3 / (13 + 1e-6);
        double Update(double g) => -0.1 * g / (Math.Abs(g) + 1);   // m̂ = g, √v̂ = |g| at t = 1
        Assert.Equal(new[] { Update(3 * coef), Update(4 * coef) }, Tiny.Values(a), (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal(Update(12 * coef), Tiny.Values(b)[0], 1e-15);
    }
}
