namespace PeftKit.Measurement;

public sealed partial class SeededComparison
{
    /// <summary>
    /// Arm B against arm A on a token labelling test set, in <b>macro F1</b> (the mean F1 of labels 1 … k − 1, label 0
    /// being "none", as <c>TokenLabelScores.MacroF1</c> computes it). F1 is not a mean over words, so the gap cannot be
    /// split into per-word terms as <see cref="Of"/> does; instead each resample draws whole groups (passages) with
    /// replacement, recomputes every arm's and seed's macro F1 from the drawn groups' counts, and takes B − A averaged
    /// over seeds. Each label's F1 is 2·tp / (predicted + gold), 0 when the label is neither predicted nor present.
    /// <see cref="PerSeed"/> keeps each seed's McNemar test on the words each arm labelled correctly.
    /// </summary>
    /// <param name="seeds">The training seeds; both arms ran each of them.</param>
    /// <param name="gold">The true label of every test word.</param>
    /// <param name="a">Arm A's predicted labels: <c>a[k][i]</c> for the run with <c>seeds[k]</c> and word i.</param>
    /// <param name="b">Arm B's, the same way.</param>
    /// <param name="labelCount">Labels 0 … labelCount − 1; label 0 ("none") is left out of the mean.</param>
    /// <param name="groups">The group (passage) of each word; the bootstrap resamples groups.</param>
    /// <param name="resamples">Bootstrap resamples (10,000 by default).</param>
    /// <param name="bootstrapSeed">Seeds the resampling, so that the same predictions always give the same interval.</param>
    /// <exception cref="ArgumentException">No seeds, mismatched counts or lengths, or a label outside 0 … labelCount − 1.</exception>
    public static SeededComparison OfMacroF1(IReadOnlyList<int> seeds, IReadOnlyList<int> gold, IReadOnlyList<IReadOnlyList<int>> a,
        IReadOnlyList<IReadOnlyList<int>> b, int labelCount, IReadOnlyList<int> groups, int resamples = 10_000, int bootstrapSeed = 0)
    {
        CheckArms(seeds, a, b, "prediction");
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(groups);
        if (labelCount < 2) throw new ArgumentOutOfRangeException(nameof(labelCount), labelCount, "Macro F1 needs at least two labels.");
        CheckResamples(resamples);
        int n = gold.Count;
        if (groups.Count != n) throw new ArgumentException($"Give one group per word: {groups.Count} groups for {n} words.", nameof(groups));
        if (a.Concat(b).FirstOrDefault(p => p.Count != n) is { } wrong)
            throw new ArgumentException($"Every run must label the same {n} words; one prediction list holds {wrong.Count}.");
        if (a.Concat(b).Append(gold).SelectMany(p => p).FirstOrDefault(l => l < 0 || l >= labelCount, -1) is var bad && bad >= 0)
            throw new ArgumentException($"Label {bad} is outside 0 … {labelCount - 1}.");

        // Group index of each word, groups in order of first appearance.
        var index = new Dictionary<int, int>();
        var groupOf = new int[n];
        for (int i = 0; i < n; i++)
            if (!index.TryGetValue(groups[i], out groupOf[i])) groupOf[i] = index[groups[i]] = index.Count;
        int G = index.Count, S = seeds.Count, K = labelCount;

        // Per group: gold count of each label (G, K); per run r = arm·S + seed: predicted and true-positive counts (2S, G, K).
        var goldCount = new int[G, K];
        var predicted = new int[2 * S, G, K];
        var truePositive = new int[2 * S, G, K];
        for (int i = 0; i < n; i++) goldCount[groupOf[i], gold[i]]++;
        for (int r = 0; r < 2 * S; r++)
        {
            var p = r < S ? a[r] : b[r - S];
            for (int i = 0; i < n; i++)
            {
                predicted[r, groupOf[i], p[i]]++;
                if (p[i] == gold[i]) truePositive[r, groupOf[i], p[i]]++;
            }
        }

        // Macro F1 of every run over a multiset of groups (weights[g] = how often group g was drawn); returns B − A averaged over seeds, and each seed's gap.
        double[] runF1 = new double[2 * S];
        var goldSum = new long[K];
        var predSum = new long[K];
        var tpSum = new long[K];
        (double Mean, double[] PerSeed) Gap(int[] weights)
        {
            Array.Clear(goldSum);
            for (int g = 0; g < G; g++)
                if (weights[g] != 0) for (int k = 0; k < K; k++) goldSum[k] += weights[g] * goldCount[g, k];
            for (int r = 0; r < 2 * S; r++)
            {
                Array.Clear(predSum);
                Array.Clear(tpSum);
                for (int g = 0; g < G; g++)
                    if (weights[g] != 0)
                        for (int k = 0; k < K; k++) { predSum[k] += weights[g] * predicted[r, g, k]; tpSum[k] += weights[g] * truePositive[r, g, k]; }
                double f1 = 0;
                for (int k = 1; k < K; k++) f1 += predSum[k] + goldSum[k] == 0 ? 0 : 2.0 * tpSum[k] / (predSum[k] + goldSum[k]);
                runF1[r] = f1 / (K - 1);
            }
            var perSeed = Enumerable.Range(0, S).Select(k => runF1[S + k] - runF1[k]).ToArray();
            return (perSeed.Average(), perSeed);
        }

        var all = Enumerable.Repeat(1, G).ToArray();
        var (mean, perSeedGaps) = Gap(all);
        var rng = new Random(bootstrapSeed);
        var means = new double[resamples];
        var drawn = new int[G];
        for (int s = 0; s < resamples; s++)
        {
            Array.Clear(drawn);
            for (int j = 0; j < G; j++) drawn[rng.Next(G)]++;
            means[s] = Gap(drawn).Mean;
        }
        Array.Sort(means);
        var mcnemar = Enumerable.Range(0, S)
            .Select(k => PairedComparison.Of([.. a[k].Select((p, i) => p == gold[i])], [.. b[k].Select((p, i) => p == gold[i])])).ToArray();
        return new SeededComparison([.. seeds], mcnemar, perSeedGaps, mean, Quantile(means, 0.025), Quantile(means, 0.975), resamples, "macro F1", n);
    }
}
