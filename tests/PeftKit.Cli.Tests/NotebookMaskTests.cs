using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PeftKit.Cli.Tests;

/// <summary>
/// <see cref="NotebookTests.MaskTimings"/> decides which printed figures may differ between the kernel's and the engine's
/// run. It once missed "minutes": 07 printed "11 runs, 0.5 minutes of training" in one host and "0.3 minutes" in the
/// other, and CI failed by chance on a line that only says how long the runs took. These tests hold the mask to every
/// time unit the notebooks print, and to nothing else.
/// </summary>
public sealed partial class NotebookMaskTests
{
    [Theory]
    [InlineData("11 runs, 0.5 minutes of training and evaluation", "11 runs, 0.3 minutes of training and evaluation")] // CI, 2026-11-30
    [InlineData("Stopped after 200 steps (MaxSteps) in 96.2 s. Restored", "Stopped after 200 steps (MaxSteps) in 101.7 s. Restored")]
    [InlineData("Wall time: 2849 s in all (2845 s training", "Wall time: 2,901 s in all (2,897 s training")]
    [InlineData("step 179 ms, 1.2 min, 3 h, 2 hours, 1 minute, 40 µs, 12.5 steps/s, 900 tokens/s", "step 263 ms, 1.9 min, 4 h, 1 hours, 2 minute, 97 µs, 8.1 steps/s, 1,204 tokens/s")]
    [InlineData("elapsed 01:02 of 03:04:05", "elapsed 11:22 of 33:44:55")]
    public void MasksEveryWallClockFigure(string one, string other) =>
        Assert.Equal(NotebookTests.MaskTimings(one), NotebookTests.MaskTimings(other));

    [Theory]
    [InlineData("11 runs", "12 runs")]
    [InlineData("accuracy = 0.93", "accuracy = 0.92")]
    [InlineData("12 heads, 4 layers", "8 heads, 4 layers")]
    [InlineData("0.5 sigma", "0.3 sigma")]
    [InlineData("rank 8 scale 2", "rank 8 scale 3")]
    public void LeavesEveryOtherNumberToCompare(string one, string other) =>
        Assert.NotEqual(NotebookTests.MaskTimings(one), NotebookTests.MaskTimings(other));

    /// <summary>
    /// Every committed notebook's stdout, masked, has no number left in front of a time word: a broader list of time words
    /// than the mask's, so a notebook that starts printing "3 hrs" or "2 days" fails here, on the committed files, instead
    /// of in one CI run in ten.
    /// </summary>
    [Fact]
    public void LeavesNoTimeFigureInAnyCommittedNotebook()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb");
        Assert.NotEmpty(files);
        var unmasked = new List<string>();
        int masked = 0;
        foreach (var file in files)
        {
            var notebook = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var cell in Cells.Code(notebook))
            {
                var stdout = Cells.Stdout(cell);
                masked += AnyTimeFigure().Matches(stdout).Count;
                unmasked.AddRange(AnyTimeFigure().Matches(NotebookTests.MaskTimings(stdout)).Select(m => $"{Path.GetFileName(file)}: \"{m.Value}\""));
            }
        }
        Assert.True(masked > 0, "no committed notebook prints a time figure; this test would hold nothing");
        Assert.True(unmasked.Count == 0, $"time figures the kernel/engine comparison would compare: {string.Join(", ", unmasked)}; add their unit to OutputMask (PeftKit.Notebooks).");
    }

    [GeneratedRegex(@"\d[\d,]*(\.\d+)?\s?(ns|µs|us|ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|[a-z]+/s)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AnyTimeFigure();
}
