namespace PeftKit.Measurement;

public sealed partial class SeededComparison
{
    /// <summary>
    /// Arm B against arm A in a metric that is a (weighted) mean of per-example values: token F1 of generated text (weights
    /// 1), or the loss per answer token (value: an example's mean nats per token; weight: its token count, so that
    /// Σ wᵢxᵢ / Σ wᵢ is the split's loss). Each run scores Σ wᵢxᵢ / Σ wᵢ; the gap is B − A averaged over seeds. The 95%
    /// interval comes from a paired bootstrap over examples, as in <see cref="Of"/>: example i carries
    /// dᵢ = mean over seeds of (b_ki − a_ki), and a resample's gap is Σ wᵢdᵢ / Σ wᵢ over the drawn examples. There is no
    /// McNemar test (<see cref="PerSeed"/> is empty): the values are not right-or-wrong answers.
    /// </summary>
    /// <param name="seeds">The training seeds; both arms ran each of them.</param>
    /// <param name="a">Arm A's values: <c>a[k][i]</c> for the run with <c>seeds[k]</c> and example i.</param>
    /// <param name="b">Arm B's values, the same way and in the same example order.</param>
    /// <param name="metric">What the values are, for the printout ("token F1", "test loss").</param>
    /// <param name="unit"><see cref="Points"/> when the values are fractions (printed × 100), else their unit ("nats").</param>
    /// <param name="higherIsBetter">False for a loss: <see cref="ForImprovement"/> then asks for B − A below 0.</param>
    /// <param name="weights">Each example's weight (null: all 1); for a per-token loss, the example's token count.</param>
    /// <param name="resamples">Bootstrap resamples (10,000 by default).</param>
    /// <param name="bootstrapSeed">Seeds the resampling, so that the same values always give the same interval.</param>
    /// <exception cref="ArgumentException">No seeds, mismatched counts or lengths, a weight that is negative or not finite,
    /// weights that sum to 0, or a value that is not finite (a NaN loss is a failed run: fix it, do not average it).</exception>
    public static SeededComparison OfMeans(IReadOnlyList<int> seeds, IReadOnlyList<IReadOnlyList<double>> a, IReadOnlyList<IReadOnlyList<double>> b,
        string metric, string unit = Points, bool higherIsBetter = true, IReadOnlyList<double>? weights = null, int resamples = 10_000, int bootstrapSeed = 0)
    {
        CheckArms(seeds, a, b, "value");
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        CheckResamples(resamples);
        int n = a[0].Count, S = seeds.Count;
        if (n == 0) throw new ArgumentException("A seeded comparison needs at least one example.", nameof(a));
        if (a.Concat(b).FirstOrDefault(v => v.Count != n) is { } wrong)
            throw new ArgumentException($"Every run must be scored on the same {n} examples; one value list holds {wrong.Count}.");
        if (a.Concat(b).SelectMany(v => v).Any(x => !double.IsFinite(x)))
            throw new ArgumentException("A value is NaN or infinite: a run that diverged cannot be averaged; find why it failed and re-run it.");
        var w = weights?.ToArray() ?? Enumerable.Repeat(1.0, n).ToArray();
        if (w.Length != n) throw new ArgumentException($"Give one weight per example: {w.Length} weights for {n} examples.", nameof(weights));
        if (w.Any(x => !(x >= 0) || double.IsInfinity(x)) || w.Sum() == 0)
            throw new ArgumentException("Weights must be finite, at least 0, and not all 0.", nameof(weights));

        double Score(IReadOnlyList<double> run) => run.Select((x, i) => w[i] * x).Sum() / w.Sum();
        var perSeedGaps = Enumerable.Range(0, S).Select(k => Score(b[k]) - Score(a[k])).ToArray();
        var weightedGap = new double[n];                                              // wᵢ·dᵢ, dᵢ = mean_k (b_ki − a_ki)
        for (int i = 0; i < n; i++)
        {
            double d = 0;
            for (int k = 0; k < S; k++) d += b[k][i] - a[k][i];
            weightedGap[i] = w[i] * d / S;
        }
        var means = BootstrapRatios(weightedGap, w, resamples, bootstrapSeed);
        return new SeededComparison([.. seeds], [], perSeedGaps, perSeedGaps.Average(), Quantile(means, 0.025), Quantile(means, 0.975), resamples,
            metric, n, unit, higherIsBetter);
    }
}
