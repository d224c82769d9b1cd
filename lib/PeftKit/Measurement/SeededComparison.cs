using System.Globalization;

namespace PeftKit.Measurement;

/// <summary>
/// Arm B against arm A, each trained with the same seeds and scored on the same test examples: the gap in accuracy B − A
/// averaged over seeds, with a 95% interval from a <b>paired bootstrap over examples</b>. Example i carries
/// d_i = mean over seeds of (B right − A right); resampling examples (not seeds, not single answers) keeps each
/// example's answers together, so an e-mail that both arms always get wrong, or that flips on every seed, counts once
/// with its real weight. The gap is D = mean_i d_i = mean over seeds of each seed's accuracy gap. Each seed's McNemar test
/// is kept beside it (<see cref="PerSeed"/>). The interval covers example noise on this test set and the seeds run, not
/// other test sets; the verdicts read it as the papers' claims need (<see cref="ForImprovement"/>, <see cref="ForEquivalence"/>).
/// Token labelling compares macro F1 instead, which is not a mean over words: <see cref="OfMacroF1"/> resamples passages.
/// </summary>
public sealed partial class SeededComparison
{
    SeededComparison(IReadOnlyList<int> seeds, IReadOnlyList<PairedComparison> perSeed, IReadOnlyList<double> perSeedGaps, double mean, double low, double high,
        int resamples, string metric, int examples, string unit = Points, bool higherIsBetter = true)
    {
        (Seeds, PerSeed, PerSeedGaps, MeanDifference, Low, High, Resamples, Metric) = (seeds, perSeed, perSeedGaps, mean, low, high, resamples, metric);
        (Examples, Unit, HigherIsBetter) = (examples, unit, higherIsBetter);
    }

    /// <summary>The unit of a gap between two fractions (accuracy, F1), shown × 100.</summary>
    public const string Points = "points";

    /// <summary>Compares per-example correctness of two arms over the same seeds and examples.</summary>
    /// <param name="seeds">The training seeds; both arms ran each of them.</param>
    /// <param name="a">Arm A's answers: <c>a[k][i]</c> is true when the run with <c>seeds[k]</c> got example i right.</param>
    /// <param name="b">Arm B's answers, the same way and in the same example order.</param>
    /// <param name="resamples">Bootstrap resamples (10,000: the interval's ends move by about 0.1 point between bootstrap seeds).</param>
    /// <param name="bootstrapSeed">Seeds the resampling, so that the same answers always give the same interval.</param>
    /// <param name="groups">
    /// Optional: the group of each example, when examples come in groups that are not independent — the words of one
    /// passage in token labelling. The bootstrap then resamples whole groups (a cluster bootstrap: each resample's gap is
    /// its groups' summed d over their summed sizes), so the interval is as wide as the number of groups warrants, not
    /// the number of words. Each seed's McNemar test still counts single examples.
    /// </param>
    /// <exception cref="ArgumentException">No seeds, mismatched counts, or answer lists of different lengths.</exception>
    public static SeededComparison Of(IReadOnlyList<int> seeds, IReadOnlyList<IReadOnlyList<bool>> a, IReadOnlyList<IReadOnlyList<bool>> b,
        int resamples = 10_000, int bootstrapSeed = 0, IReadOnlyList<int>? groups = null)
    {
        CheckArms(seeds, a, b, "answer");
        CheckResamples(resamples);
        var perSeed = seeds.Select((_, k) => PairedComparison.Of(a[k], b[k])).ToArray();
        int n = perSeed[0].Count;
        if (perSeed.Any(p => p.Count != n))
            throw new ArgumentException($"Every seed must be scored on the same examples; the answer lists hold {string.Join(", ", perSeed.Select(p => p.Count).Distinct())} examples.");

        var d = new double[n];                                                     // d_i = mean_k (b_ki − a_ki)
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < seeds.Count; k++) d[i] += (b[k][i] ? 1 : 0) - (a[k][i] ? 1 : 0);
            d[i] /= seeds.Count;
        }
        if (groups is not null && groups.Count != n)
            throw new ArgumentException($"Give one group per example: {groups.Count} groups for {n} examples.", nameof(groups));
        // Each group's summed d and size, groups in order of first appearance; without groups every example is its own.
        var index = new Dictionary<int, int>();
        var groupSum = new List<double>();
        var groupSize = new List<int>();
        for (int i = 0; i < n; i++)
        {
            int key = groups?[i] ?? i;
            if (!index.TryGetValue(key, out int g)) { g = index[key] = groupSum.Count; groupSum.Add(0); groupSize.Add(0); }
            groupSum[g] += d[i];
            groupSize[g]++;
        }
        var means = BootstrapRatios([.. groupSum], [.. groupSize.Select(size => (double)size)], resamples, bootstrapSeed);
        return new SeededComparison([.. seeds], perSeed, [.. perSeed.Select(p => p.Difference)], d.Average(), Quantile(means, 0.025), Quantile(means, 0.975), resamples, "accuracy", n);
    }

    /// <summary>Both arms' runs: one <paramref name="noun"/> list per seed for each, at least one seed.</summary>
    static void CheckArms<T>(IReadOnlyList<int> seeds, IReadOnlyList<T> a, IReadOnlyList<T> b, string noun)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (seeds.Count == 0) throw new ArgumentException("A seeded comparison needs at least one seed.", nameof(seeds));
        if (a.Count != seeds.Count || b.Count != seeds.Count)
            throw new ArgumentException($"Give one {noun} list per seed for each arm: {seeds.Count} seeds, {a.Count} lists for A, {b.Count} for B.");
    }

    static void CheckResamples(int resamples)
    {
        if (resamples < 100) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "Use at least 100 bootstrap resamples (10,000 is the default).");
    }

    /// <summary>
    /// The sorted bootstrap distribution of Σ sum / Σ weight over units drawn with replacement (as many draws as units):
    /// unit u carries sum[u] (its weighted gap) and weight[u] (its size), so a resample's gap is its units' summed gap over
    /// their summed size.
    /// </summary>
    static double[] BootstrapRatios(double[] sum, double[] weight, int resamples, int bootstrapSeed)
    {
        int U = sum.Length;
        var rng = new Random(bootstrapSeed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double s = 0, w = 0;
            for (int j = 0; j < U; j++) { int u = rng.Next(U); s += sum[u]; w += weight[u]; }
            means[r] = s / w;
        }
        Array.Sort(means);
        return means;
    }

    /// <summary>Linear interpolation between order statistics of a sorted array (the usual "type 7" quantile).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        return lo + 1 < sorted.Length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
    }

    /// <summary>The training seeds, in the order given.</summary>
    public IReadOnlyList<int> Seeds { get; }

    /// <summary>Each seed's paired comparison (McNemar's exact test), in seed order; empty for <see cref="OfMeans"/>,
    /// whose per-example values are not right-or-wrong answers.</summary>
    public IReadOnlyList<PairedComparison> PerSeed { get; }

    /// <summary>Each seed's gap B − A in <see cref="Metric"/>, in seed order (for accuracy, <c>PerSeed[k].Difference</c>).</summary>
    public IReadOnlyList<double> PerSeedGaps { get; }

    /// <summary>B minus A in <see cref="Metric"/>, averaged over seeds (in <see cref="Points"/> a fraction: 0.01 is one point).</summary>
    public double MeanDifference { get; }

    /// <summary>Lower end of the 95% paired-bootstrap interval of <see cref="MeanDifference"/>.</summary>
    public double Low { get; }

    /// <summary>Upper end of the 95% paired-bootstrap interval of <see cref="MeanDifference"/>.</summary>
    public double High { get; }

    /// <summary>Bootstrap resamples behind the interval.</summary>
    public int Resamples { get; }

    /// <summary>What the gap is a gap of: "accuracy" (<see cref="Of"/>), "macro F1" (<see cref="OfMacroF1"/>) or what
    /// <see cref="OfMeans"/> was told ("test loss").</summary>
    public string Metric { get; }

    /// <summary>Test examples (or words) each run was scored on.</summary>
    public int Examples { get; }

    /// <summary><see cref="Points"/> for a gap between fractions (printed × 100); otherwise the metric's own unit ("nats"), printed as is.</summary>
    public string Unit { get; }

    /// <summary>False for a metric where lower is better (a loss): then B improves on A when B − A is below 0.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>The claim "B is better than A": <see cref="Verdict.Reproduces"/> when the whole interval is on the better
    /// side of 0 (above it; below it when <see cref="HigherIsBetter"/> is false), <see cref="Verdict.DirectionOnly"/> when
    /// only the mean is, <see cref="Verdict.DoesNot"/> when the mean is not; <see cref="Verdict.NotTested"/> when
    /// <paramref name="hasSignal"/> is false.</summary>
    public Verdict ForImprovement(bool hasSignal = true)
    {
        if (!hasSignal) return Verdict.NotTested;
        var (sureGain, meanGain) = HigherIsBetter ? (Low > 0, MeanDifference > 0) : (High < 0, MeanDifference < 0);
        return sureGain ? Verdict.Reproduces : meanGain ? Verdict.DirectionOnly : Verdict.DoesNot;
    }

    /// <summary>The claim "B matches A" within ±<paramref name="margin"/>, fixed before the runs, in the gap's own unit (a
    /// fraction when <see cref="Unit"/> is <see cref="Points"/>: 0.02 for ±2 points; nats for a loss):
    /// <see cref="Verdict.Reproduces"/> when the whole interval lies inside the margin (two one-sided tests at 2.5% each),
    /// <see cref="Verdict.DoesNot"/> when it lies wholly outside, <see cref="Verdict.Inconclusive"/> otherwise;
    /// <see cref="Verdict.NotTested"/> when <paramref name="hasSignal"/> is false.</summary>
    public Verdict ForEquivalence(double margin, bool hasSignal = true)
    {
        if (!(margin > 0)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "The equivalence margin must be above 0, e.g. 0.02 for ±2 points.");
        if (!hasSignal) return Verdict.NotTested;
        if (Low >= -margin && High <= margin) return Verdict.Reproduces;
        return Low > margin || High < -margin ? Verdict.DoesNot : Verdict.Inconclusive;
    }

    /// <summary>"+0.32 points (95% CI −0.50 to +1.15; per seed 0.0 / −0.4 / +1.3; 3 seeds × 529 examples)"; in another
    /// unit "−0.103 nats of test loss (95% CI −0.121 to −0.086; per seed −0.101 / −0.110 / −0.098; 3 seeds × 100 examples)".</summary>
    public override string ToString()
    {
        bool points = Unit == Points;
        string P(double v, string f) => (points ? 100 * v : v).ToString(f, CultureInfo.InvariantCulture).Replace("-", "−");
        var (two, one) = points ? ("0.00", "0.0") : ("0.000", "0.000");
        var of = Metric == "accuracy" ? "" : $" of {Metric}";
        return $"{(MeanDifference >= 0 ? "+" : "")}{P(MeanDifference, two)} {Unit}{of} (95% CI {P(Low, $"+{two};-{two};{two}")} to {P(High, $"+{two};-{two};{two}")}; "
            + $"per seed {string.Join(" / ", PerSeedGaps.Select(g => P(g, $"+{one};-{one};{one}")))}; {Seeds.Count} seeds × {Examples} examples)";
    }
}
