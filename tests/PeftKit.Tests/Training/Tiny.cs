using PeftKit.Training;
using TorchSharp.Modules;

namespace PeftKit.Tests.Training;

/// <summary>Small real problems made from torch tensors with fixed seeds.</summary>
internal static class Tiny
{
    /// <summary>A linear model y = x·W + b in float64, with named parameters like a checkpoint would have.</summary>
    public sealed class Linear : IDisposable
    {
        public readonly Parameter weight, bias;

        public Linear(int inputs, int outputs, long seed, ScalarType dtype = ScalarType.Float64)
        {
            KitTorch.Setup();
            manual_seed(seed);
            weight = new Parameter(randn(inputs, outputs, dtype: dtype) * 0.5);
            bias = new Parameter(zeros(outputs, dtype: dtype));
        }

        public IEnumerable<(string name, Parameter parameter)> Named() => [("weight", weight), ("bias", bias)];

        public Tensor Forward(Tensor x) => x.matmul(weight) + bias;   // (N, in) @ (in, out) + (out) → (N, out)

        public Tensor MseLoss((Tensor X, Tensor Y) batch) => (Forward(batch.X) - batch.Y).pow(2).mean();

        public void Dispose() { weight.Dispose(); bias.Dispose(); }
    }

    /// <summary>n samples of y = x·[1.5, −2, 0.5]ᵀ + 0.3 + 0.01·noise, float64.</summary>
    public static (Tensor X, Tensor Y) Regression(int n, long seed)
    {
        KitTorch.Setup();
        manual_seed(seed);
        var x = randn(n, 3, dtype: ScalarType.Float64);                                            // (n, 3)
        var w = tensor(new[] { 1.5, -2.0, 0.5 }, dtype: ScalarType.Float64).reshape(3, 1);        // (3, 1)
        var y = x.matmul(w) + 0.3 + 0.01 * randn(n, 1, dtype: ScalarType.Float64);                // (n, 1)
        return (x, y);
    }

    /// <summary>Rows [from, to) of a batch.</summary>
    public static (Tensor X, Tensor Y) Slice((Tensor X, Tensor Y) b, long from, long to) => (b.X.narrow(0, from, to - from), b.Y.narrow(0, from, to - from));

    public static double[] Values(Tensor t) => t.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();

    public static TrainerConfig Config(int steps) => new()
    {
        LearningRate = 0.05, WeightDecay = 0, MaxSteps = steps, Decay = LearningRateDecay.Constant, LogEvery = 1,
    };
}
