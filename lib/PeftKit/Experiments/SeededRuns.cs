using System.Globalization;
using PeftKit.Measurement;
using PeftKit.Reporting;

namespace PeftKit.Experiments;

/// <summary>
/// The runs of a seeded classification experiment: every arm trained once per seed, each run's best dev checkpoint
/// scored on the same test examples, with whether it got each one right. From them come the two tables of a findings
/// section: one row per arm with its test accuracy per seed (<see cref="SeedTable"/>), and paired comparisons of two
/// arms with the verdict of a claim (<see cref="Compare"/>, laid out by <see cref="PairedFinding.Table"/>).
/// </summary>
/// <param name="seeds">The training seeds every arm runs, in order.</param>
/// <param name="majority">Test accuracy of always giving the majority answer: an arm has learned something
/// (<see cref="Learned"/>) only above it.</param>
public sealed class SeededRuns(IReadOnlyList<int> seeds, double majority)
{
    readonly List<(string Arm, int Seed, RunResult Result, bool[] Correct)> runs = [];

    /// <summary>The training seeds every arm runs.</summary>
    public IReadOnlyList<int> Seeds { get; } = seeds.Count > 0 && seeds.Distinct().Count() == seeds.Count
        ? [.. seeds] : throw new ArgumentException($"Seeded runs need at least one seed and no seed twice; got [{string.Join(", ", seeds)}].", nameof(seeds));

    /// <summary>Test accuracy of always giving the majority answer.</summary>
    public double Majority { get; } = majority;

    /// <summary>Every run's result, in the order added.</summary>
    public IReadOnlyList<RunResult> Results => [.. runs.Select(r => r.Result)];

    /// <summary>The arms, in the order their first run was added.</summary>
    public IReadOnlyList<string> Arms => [.. runs.Select(r => r.Arm).Distinct()];

    /// <summary>Records one run: <paramref name="correct"/>[i] is whether its best checkpoint got test example i right.</summary>
    /// <exception cref="ArgumentException">A seed not in <see cref="Seeds"/>, an arm and seed already recorded, or answers to a different number of test examples than the runs before.</exception>
    public void Add(string arm, int seed, RunResult result, IReadOnlyList<bool> correct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(arm);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(correct);
        if (!Seeds.Contains(seed))
            throw new ArgumentException($"Seed {seed} of '{arm}' is not one of this experiment's seeds ({string.Join(", ", Seeds)}).", nameof(seed));
        if (runs.Any(r => r.Arm == arm && r.Seed == seed))
            throw new ArgumentException($"'{arm}' already has a run with seed {seed}; give each arm a distinct name.", nameof(arm));
        if (runs.Count > 0 && runs[0].Correct.Length != correct.Count)
            throw new ArgumentException($"'{arm}' (seed {seed}) was scored on {correct.Count} test examples, the runs before on {runs[0].Correct.Length}: paired comparisons need the same examples.", nameof(correct));
        runs.Add((arm, seed, result, [.. correct]));
    }

    /// <summary>The run of <paramref name="arm"/> with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">No such run.</exception>
    public RunResult Of(string arm, int seed) => Find(arm, seed).Result;

    /// <summary>Each seed's answers of <paramref name="arm"/>, in seed order: <c>[k][i]</c> is whether seed k got test example i right.</summary>
    public IReadOnlyList<IReadOnlyList<bool>> Answers(string arm) => [.. Seeds.Select(s => (IReadOnlyList<bool>)Find(arm, s).Correct)];

    /// <summary>Whether <paramref name="arm"/> beats the majority answer on test with every seed — the signal a comparison needs.</summary>
    public bool Learned(string arm) => Seeds.All(s => Of(arm, s).TestAccuracy > Majority);

    /// <summary>Arm <paramref name="b"/> against arm <paramref name="a"/> on the same test examples, and the verdict
    /// <paramref name="judge"/> gives the claim (e.g. <c>g => g.ForImprovement(runs.Learned(a) || runs.Learned(b))</c>).</summary>
    public PairedFinding Compare(string b, string a, Func<SeededComparison, Verdict> judge)
    {
        ArgumentNullException.ThrowIfNull(judge);
        var gap = SeededComparison.Of(Seeds, Answers(a), Answers(b));
        return new PairedFinding($"{b} − {a}", gap, judge(gap));
    }

    /// <summary>One row per arm: test accuracy per seed, mean ± sample standard deviation over seeds, mean dev accuracy,
    /// and the trainable parameters.</summary>
    public string SeedTable(params string[] arms) => HtmlTable.Of(
        ["arm", .. Seeds.Select(s => $"test, seed {s}"), "test, mean ± sd", "dev, mean", "trainable"],
        arms.Select(a =>
        {
            var acc = Seeds.Select(s => Of(a, s).TestAccuracy).ToArray();
            var spread = Spread.Of(acc);
            return new[] { a }.Concat(acc.Select(v => v.ToString("P1", CultureInfo.InvariantCulture)))
                .Append(string.Create(CultureInfo.InvariantCulture, $"{100 * spread.Mean:F1} ± {100 * spread.StandardDeviation:F1} %"))
                .Append(Seeds.Average(s => Of(a, s).DevAccuracy).ToString("P1", CultureInfo.InvariantCulture))
                .Append(Of(a, Seeds[0]).TrainableParameters.ToString("N0", CultureInfo.InvariantCulture))
                .ToArray();
        }));

    (string Arm, int Seed, RunResult Result, bool[] Correct) Find(string arm, int seed)
    {
        foreach (var r in runs) if (r.Arm == arm && r.Seed == seed) return r;
        throw new ArgumentException($"No run of '{arm}' with seed {seed}; the arms recorded are: {string.Join(", ", Arms)}.");
    }
}
