using PeftKit.Training;
using TorchSharp.Modules;

namespace PeftKit.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class AdamWStepTests
{
    // A 2×1 weight (decayed) and a 1-element bias (1-D: no decay). Two steps with known gradients:
    // step 1: loss = Σ W·c + 4b  → ∇W = c, ∇b = 4;   step 2: loss = ½ΣW² + ½b² → ∇W = W, ∇b = b.
    static readonly double[] W0 = [0.5, -1.0], C = [0.3, -2.0];
    const double B0 = 0.25, Lr = 0.1, Floor = 0.05, Wd = 0.2, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;

    static Tensor Loss(int step, Parameter w, Parameter b) => step == 1
        ? (w * tensor(C, dtype: ScalarType.Float64).reshape(2, 1)).sum() + 4 * b.sum()
        : 0.5 * (w.pow(2).sum() + b.pow(2).sum());

    static Parameter Weight() { KitTorch.Setup(); return new(tensor(W0, dtype: ScalarType.Float64).reshape(2, 1)); }

    static Parameter Bias() => new(tensor(new[] { B0 }, dtype: ScalarType.Float64));

    // Warmup 1 of 2 steps, linear decay to the floor: step 1 uses Lr, step 2 uses Floor, so the tests also prove the
    // schedule reaches the optimizer.
    static TrainerConfig TwoSteps => new()
    {
        LearningRate = Lr, MinLearningRate = Floor, WarmupSteps = 1, MaxSteps = 2, WeightDecay = Wd,
        Beta1 = Beta1, Beta2 = Beta2, Epsilon = Eps, LogEvery = 1,
    };

    /// <summary>AdamW (Loshchilov &amp; Hutter, decoupled decay) written out by hand, in double precision:
    /// θ ← θ(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ); θ ← θ − lr·m̂/(√v̂ + ε).
    /// The gradient is taken at the parameters before the update.</summary>
    static double[] Reference(double[] theta, Func<int, double[], double[]> grad, double[] lrs, double decay)
    {
        theta = (double[])theta.Clone();
        var m = new double[theta.Length];
        var v = new double[theta.Length];
        for (var t = 1; t <= lrs.Length; t++)
        {
            var g = (double[])grad(t, theta).Clone();   // the gradient at θ before this update (not an alias of θ)
            for (var i = 0; i < theta.Length; i++)
            {
                theta[i] *= 1 - lrs[t - 1] * decay;
                m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                var mHat = m[i] / (1 - Math.Pow(Beta1, t));
                var vHat = v[i] / (1 - Math.Pow(Beta2, t));
                theta[i] -= lrs[t - 1] * mHat / (Math.Sqrt(vHat) + Eps);
            }
        }
        return theta;
    }

    [Fact]
    public void TwoTrainerStepsEqualHandWrittenAdamWAndTorchAdamW()
    {
        using var w = Weight();
        using var b = Bias();
        var config = TwoSteps;
        using var trainer = new Trainer<int>(config, [("weight", w), ("bias", b)], step => Loss(step, w, b));
        Assert.Equal(["weight"], trainer.DecayParameterNames);
        Assert.Equal(["bias"], trainer.NoDecayParameterNames);
        var history = trainer.Train([1, 2]);
        Assert.Equal([Lr, Floor], history.LearningRates);

        // TorchSharp's own AdamW, driven by hand with the same groups, gives bit-identical parameters.
        using var w2 = Weight();
        using var b2 = Bias();
        using var opt = optim.AdamW([
            new AdamW.ParamGroup([w2], Lr, Beta1, Beta2, Eps, Wd),
            new AdamW.ParamGroup([b2], Lr, Beta1, Beta2, Eps, 0)]);
        foreach (var (step, lr) in new[] { (1, Lr), (2, Floor) })
        {
            opt.zero_grad();
            foreach (var g in opt.ParamGroups) g.LearningRate = lr;
            Loss(step, w2, b2).backward();
            opt.step();
        }
        Assert.Equal(Tiny.Values(w2), Tiny.Values(w));
        Assert.Equal(Tiny.Values(b2), Tiny.Values(b));
        var wExpected = Reference(W0, (t, th) => t == 1 ? C : th, [Lr, Floor], Wd);
        var bExpected = Reference([B0], (t, th) => t == 1 ? [4.0] : th, [Lr, Floor], decay: 0);
        // float64 throughout; the only difference from the reference is the order of a few operations
        // (torch divides √v by √(1−β₂ᵗ) before adding ε), worth ~1e-16 relative on values ~1.
        Assert.Equal(wExpected, Tiny.Values(w), (x, y) => Math.Abs(x - y) < 1e-14);
        Assert.Equal(bExpected, Tiny.Values(b), (x, y) => Math.Abs(x - y) < 1e-14);
        // The decay really is decoupled and applied to W only: with λ = 0 for W the result differs.
        var wNoDecay = Reference(W0, (t, th) => t == 1 ? C : th, [Lr, Floor], 0);
        Assert.True(Math.Abs(wNoDecay[0] - Tiny.Values(w)[0]) > 1e-3);

    }

    [Fact]
    public void LearningRateMultiplierGivesAParameterItsOwnScheduledRate()
    {
        using var w = Weight();
        using var b = Bias();
        var config = TwoSteps with { LearningRateMultiplier = name => name == "bias" ? 3 : 1 };
        using var trainer = new Trainer<int>(config, [("weight", w), ("bias", b)], step => Loss(step, w, b));
        var history = trainer.Train([1, 2]);
        Assert.Equal([Lr, Floor], history.LearningRates);   // the history records the shared rate
        // The weight follows the shared schedule, the bias three times it (both decay steps too), each by hand-written AdamW.
        var wExpected = Reference(W0, (t, th) => t == 1 ? C : th, [Lr, Floor], Wd);
        var bExpected = Reference([B0], (t, th) => t == 1 ? [4.0] : th, [3 * Lr, 3 * Floor], decay: 0);
        Assert.Equal(wExpected, Tiny.Values(w), (x, y) => Math.Abs(x - y) < 1e-14);   // float64, as above
        Assert.Equal(bExpected, Tiny.Values(b), (x, y) => Math.Abs(x - y) < 1e-14);
        // And the shared rate alone would have moved the bias differently (≈ 0.2 here), so the multiplier was used.
        var bShared = Reference([B0], (t, th) => t == 1 ? [4.0] : th, [Lr, Floor], decay: 0);
        Assert.True(Math.Abs(bShared[0] - Tiny.Values(b)[0]) > 0.1);

        var bad = config with { LearningRateMultiplier = name => name == "bias" ? double.NaN : 1 };
        var e = Assert.Throws<ArgumentException>(() => new Trainer<int>(bad, [("weight", w), ("bias", b)], step => Loss(step, w, b)));
        Assert.Contains("returned NaN for 'bias'", e.Message);
    }
}
