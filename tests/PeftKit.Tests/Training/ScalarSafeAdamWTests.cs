using PeftKit.Training;
using TorchSharp.Modules;

namespace PeftKit.Tests.Training;

/// <summary>
/// <see cref="ScalarSafeAdamW"/>: TorchSharp's AdamW update bit for bit, and no use-after-free of its scalars when the
/// garbage collector runs during the native calls (the cause of the chance CI failure in AdamW.step).
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ScalarSafeAdamWTests
{
    /// <summary>Many small parameters, so each step makes hundreds of native calls with scalar arguments.</summary>
    static Parameter[] Parameters(int count, long seed)
    {
        KitTorch.Setup();
        using var generator = new Generator((ulong)seed);
        return [.. Enumerable.Range(0, count).Select(i => new Parameter(randn([3, 2], generator: generator)))];
    }

    /// <summary>Runs <paramref name="steps"/> steps of loss Σ sin(θ)·θ on the same starting parameters (seeded).</summary>
    static Tensor[] Train(Func<IEnumerable<AdamW.ParamGroup>, AdamW> create, int count, int steps, bool amsgrad, bool maximize)
    {
        var ps = Parameters(count, 11);
        // Two groups, as the Trainer makes: decayed and not, with different rates.
        using var optimizer = create([
            new AdamW.ParamGroup(ps.Take(count / 2), 3e-2, 0.9, 0.999, 1e-8, 0.1, amsgrad, maximize),
            new AdamW.ParamGroup(ps.Skip(count / 2), 1e-2, 0.8, 0.99, 1e-6, 0, amsgrad, maximize)]);
        for (int i = 0; i < steps; i++)
        {
            optimizer.zero_grad();
            // One backward per term: summing the terms with + would pass TorchSharp's own temporary alpha scalar to
            // native code, which the same race can free (the optimizer is what is under test here).
            using (var scope = NewDisposeScope())
                foreach (var p in ps) (p.sin() * p).sum().backward();
            optimizer.step();
        }
        return [.. ps.Select(p => p.detach().clone())];
    }

    static AdamW TorchSharpAdamW(IEnumerable<AdamW.ParamGroup> groups) => optim.AdamW(groups);

    static AdamW Safe(IEnumerable<AdamW.ParamGroup> groups) => new ScalarSafeAdamW(groups);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void EqualsTorchSharpsAdamWBitForBit(bool amsgrad, bool maximize)
    {
        var expected = Train(TorchSharpAdamW, 8, 25, amsgrad, maximize);
        var actual = Train(Safe, 8, 25, amsgrad, maximize);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i}: max |diff| {(expected[i] - actual[i]).abs().max().item<float>()}");
    }

    [Fact]
    public void TakesAPlainParameterListLikeOptimAdamW()
    {
        // optim.AdamW(parameters, lr, …) puts every parameter in one group with the optimizer's options.
        Tensor[] Run(Func<Parameter[], AdamW> create)
        {
            var ps = Parameters(6, 5);
            using var optimizer = create(ps);
            for (int i = 0; i < 10; i++)
            {
                optimizer.zero_grad();
                using (var scope = NewDisposeScope())
                    foreach (var p in ps) (p.sin() * p).sum().backward();
                optimizer.step();
            }
            return [.. ps.Select(p => p.detach().clone())];
        }
        var expected = Run(ps => optim.AdamW(ps, lr: 1e-2, beta1: 0.8, weight_decay: 0.1));
        var actual = Run(ps => new ScalarSafeAdamW(ps, lr: 1e-2, beta1: 0.8, weight_decay: 0.1));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} differs");
    }

    /// <summary>
    /// 300 steps × 200 parameters (≈ 360,000 native calls with scalar arguments) while another thread forces full
    /// collections and runs finalizers nonstop: the result equals the same run without the collector, bit for bit.
    /// To reproduce the failure this optimizer fixes, run this test with PEFTKIT_STRESS_OPTIMIZER=torchsharp: it then
    /// drives TorchSharp's own AdamW and fails ("Expected false to be true … toFloat", or worse: a use-after-free).
    /// </summary>
    [Fact]
    public void SurvivesGarbageCollectionsForcedFromAnotherThread()
    {
        Func<IEnumerable<AdamW.ParamGroup>, AdamW> subject =
            Environment.GetEnvironmentVariable("PEFTKIT_STRESS_OPTIMIZER") == "torchsharp" ? TorchSharpAdamW : Safe;
        var calm = Train(subject, 200, 300, amsgrad: false, maximize: false);
        var stressed = ForcedCollections.During(() => Train(subject, 200, 300, amsgrad: false, maximize: false));
        for (int i = 0; i < calm.Length; i++)
            Assert.True(calm[i].eq(stressed[i]).all().item<bool>(), $"parameter {i} differs under forced collections");
    }
}
