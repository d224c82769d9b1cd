using PeftKit.Notebooks.Fingerprints;
using PeftKit.Notebooks.Format;

namespace PeftKit.Cli.Tests;

/// <summary>
/// Stale outputs caught without re-running the full profiles: every committed notebook carries the fingerprint of its
/// quick-profile run (notebooks/fingerprints/NAME.txt), recorded by `kit run --inplace` together with its full-profile
/// outputs, by the same code. The suite already runs every notebook at the quick profile in both hosts
/// (<see cref="NotebookRuns"/>); when the code no longer prints those numbers, the committed outputs, and the prose
/// that quotes them, no longer come from the committed code.
/// </summary>
public sealed class FingerprintTests
{
    public static TheoryData<string> Notebooks() => [.. NotebookRuns.Names];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void KernelQuickRunMatchesTheRecordedFingerprint(string name) => AssertMatchesRecorded(NotebookRuns.Kernel(name), "the .NET Interactive kernel");

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EngineQuickRunMatchesTheRecordedFingerprint(string name) => AssertMatchesRecorded(NotebookRuns.Engine(name), "the kit's engine");

    /// <summary>
    /// Determinism kept, not assumed: two runs of the same notebook (one per host, separate processes) print and tabulate
    /// exactly the same numbers. Timing, memory and paths are masked; nothing else is.
    /// </summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void TwoQuickRunsGiveTheSameNumbers(string name)
    {
        var kernel = NotebookFingerprint.Of(NotebookReader.ReadFile(NotebookRuns.Kernel(name).OutputPath));
        var engine = NotebookFingerprint.Of(NotebookReader.ReadFile(NotebookRuns.Engine(name).OutputPath));
        Assert.True(kernel.Lines.Count > 10, $"{name}: the kernel's quick run printed almost nothing ({kernel.Lines.Count} lines)");
        Assert.True(kernel.FirstDifference(engine) is null,
            $"{name}: two quick runs of the same code printed different numbers, first at {kernel.FirstDifference(engine)}\n" +
            "(recorded = the kernel's run, this run = the engine's). Something in the notebook or the library is not seeded or not deterministic.");
    }

    [Fact]
    public void EveryNotebookHasAFingerprintAndNoFingerprintIsOrphaned()
    {
        var folder = Path.Combine(Repo.Root, "notebooks", NotebookFingerprint.FolderName);
        var recorded = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList() : [];
        Assert.Equal(NotebookRuns.Names.Select(Path.GetFileNameWithoutExtension).ToList(), recorded);
    }

    static void AssertMatchesRecorded(NotebookRun run, string host)
    {
        Assert.True(run.Exit == 0, $"{run.Name}: the quick run in {host} failed (exit {run.Exit}); see the test that runs it");
        var path = NotebookFingerprint.PathFor(Path.Combine(Repo.Root, "notebooks", run.Name));
        var command = $"dotnet run --project lib/PeftKit.Cli -- run notebooks/{run.Name} --inplace";
        Assert.True(File.Exists(path), $"{run.Name} has no recorded fingerprint ({path}). Run it at the full profile, which records one: {command}");
        var recorded = NotebookFingerprint.Parse(File.ReadAllText(path));
        var difference = recorded.FirstDifference(NotebookFingerprint.Of(NotebookReader.ReadFile(run.OutputPath)));
        Assert.True(difference is null,
            $"{run.Name}: its quick-profile run in {host} no longer prints the numbers recorded with its committed outputs " +
            $"(notebooks/{NotebookFingerprint.FolderName}/{Path.GetFileName(path)}), first at {difference}\n" +
            $"The committed code no longer produces the committed outputs, nor the prose that quotes them. Re-run {run.Name} at the " +
            $"full profile and commit the notebook with its new fingerprint: {command}; then make its prose agree with the new numbers." +
            (difference?.Contains("~ setup:", StringComparison.Ordinal) == true ? SetupAdvice : ""));
    }

    /// <summary>When the setup line differs, the cause is the environment or a changed default, not a result.</summary>
    const string SetupAdvice =
        "\nThe difference is in the setup line: this run used other versions or numerics settings than the recorded run. " +
        "If this environment sets PEFTKIT_CPU_KERNELS, ATEN_CPU_CAPABILITY or MKL_CBWR, unset them (the committed numbers " +
        "were made with the kit's defaults); if the change is the code's (an upgrade, a new default), re-run as above.";
}
