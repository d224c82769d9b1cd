namespace PeftKit.Measurement;

/// <summary>
/// Two classifiers scored on the same examples, compared example by example: McNemar's exact test. Only the discordant
/// examples carry evidence: <see cref="OnlyA"/> right only for A, <see cref="OnlyB"/> right only for B. If A and B were
/// equally good, each discordant example would fall either way with probability ½, so
/// p = min(1, 2·P[Binomial(OnlyA + OnlyB, ½) ≤ min(OnlyA, OnlyB)]) (two-sided). Pairing makes this far more sensitive
/// than comparing two accuracies, each with its own interval: the examples both get right or both get wrong cancel.
/// </summary>
/// <param name="Count">Examples scored by both.</param>
/// <param name="OnlyA">Examples A got right and B got wrong.</param>
/// <param name="OnlyB">Examples B got right and A got wrong.</param>
public sealed record PairedComparison(int Count, int OnlyA, int OnlyB)
{
    /// <summary>Compares per-example correctness of A and B, in the same example order.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static PairedComparison Of(IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            throw new ArgumentException($"A paired comparison needs both classifiers scored on the same examples: A has {a.Count} answers, B has {b.Count}.");
        if (a.Count == 0) throw new ArgumentException("A paired comparison needs at least one example.");
        int onlyA = 0, onlyB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] && !b[i]) onlyA++;
            if (b[i] && !a[i]) onlyB++;
        }
        return new PairedComparison(a.Count, onlyA, onlyB);
    }

    /// <summary>Accuracy of B minus accuracy of A, (OnlyB − OnlyA) / Count.</summary>
    public double Difference => (OnlyB - OnlyA) / (double)Count;

    /// <summary>McNemar's exact two-sided p-value; 1 when no example is discordant.</summary>
    public double PValue => Math.Min(1, 2 * BinomialCdfHalf(Math.Min(OnlyA, OnlyB), OnlyA + OnlyB));

    /// <summary>P[Binomial(n, ½) ≤ k], summed in log space so that n in the thousands neither overflows nor underflows.</summary>
    internal static double BinomialCdfHalf(int k, int n)
    {
        if (n == 0) return 1;
        double logChoose = 0, sum = 0, logHalfN = n * Math.Log(0.5);       // log C(n, 0) = 0
        for (int i = 0; i <= k; i++)
        {
            sum += Math.Exp(logChoose + logHalfN);
            logChoose += Math.Log(n - i) - Math.Log(i + 1);                  // log C(n, i+1) from log C(n, i)
        }
        return Math.Min(1, sum);
    }

    /// <summary>"B − A = +1.5 points (A only 3, B only 6 of 200; McNemar p = 0.51)".</summary>
    public override string ToString() =>
        $"B − A = {100 * Difference:+0.0;−0.0;0.0} points (A only {OnlyA}, B only {OnlyB} of {Count}; McNemar p = {PValue:0.###})";
}
