using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// GPT-2's "Conv1D": a linear layer whose weight is stored (in, out), transposed relative to torch's Linear,
/// exactly as the Hugging Face checkpoint stores it. y = x @ weight + bias.
/// </summary>
public sealed class Conv1D : Module<Tensor, Tensor>
{
    readonly Parameter weight;  // (in, out)
    readonly Parameter bias;    // (out)

    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, weight ~ N(0, std²), bias 0.</summary>
    public Conv1D(int inFeatures, int outFeatures, double std = 0.02) : base(nameof(Conv1D))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new Parameter(empty(inFeatures, outFeatures).normal_(0, std));
        bias = new Parameter(zeros(outFeatures));
        RegisterComponents();
    }

    /// <summary>Always true: <see cref="Weight"/> is (in, out); a method merging a delta of shape (out, in) must transpose it.</summary>
    public bool FanInFanOut => true;

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, (in, out).</summary>
    public Parameter Weight => weight;

    /// <summary>The bias, (out).</summary>
    public Parameter Bias => bias;

    /// <summary>x (..., in) → (..., out).</summary>
    public override Tensor forward(Tensor x) => addmm(bias, x.reshape(-1, InFeatures), weight, beta: 1, alpha: 1)   // (N, out)
        .view([.. x.shape[..^1], OutFeatures]);                                                     // (..., out)
}
