namespace PeftKit.Experiments;

/// <summary>A model scored on one split of a generation task.</summary>
/// <param name="Loss">Mean next-token cross-entropy over the split's answer tokens (teacher forcing), in nats.</param>
/// <param name="TokenF1">Mean token F1 of greedy generations against the references (0–1).</param>
/// <param name="ExactMatch">Share of generations equal to the reference after normalisation (0–1).</param>
/// <param name="Generated">Examples generated for <paramref name="TokenF1"/> and <paramref name="ExactMatch"/>.</param>
/// <param name="Samples">The first few generations, to read.</param>
public sealed record GenerationEvaluation(double Loss, double TokenF1, double ExactMatch, int Generated, IReadOnlyList<GenerationSample> Samples)
{
    /// <summary>Each example's summed answer-token cross-entropy (nats), in example order: with <see cref="ExampleTokens"/>,
    /// what a paired comparison of two models' losses needs (<c>SeededComparison.OfMeans</c>, weighted by tokens).</summary>
    public IReadOnlyList<double> ExampleNats { get; init; } = [];

    /// <summary>Each example's answer-token count, in example order; Σ <see cref="ExampleNats"/> / Σ tokens is <see cref="Loss"/>.</summary>
    public IReadOnlyList<int> ExampleTokens { get; init; } = [];

    /// <summary>Token F1 of each generated example, in example order (the first <see cref="Generated"/>); their mean is <see cref="TokenF1"/>.</summary>
    public IReadOnlyList<double> ExampleF1 { get; init; } = [];

    /// <summary>exp(<see cref="Loss"/>): the perplexity of the answers.</summary>
    public double Perplexity => Math.Exp(Loss);
}
