using System.Globalization;

namespace PeftKit.Training;

/// <summary>Text pieces shared by <see cref="ConsoleProgress"/> and <see cref="NotebookProgress"/>.</summary>
internal static class ProgressFormat
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Time(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";

    public static string Number(double v) => v.ToString("0.0000", Inv);

    public static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(" ", metrics.Select(m => $"{m.Key} {m.Value.ToString("0.0000", Inv)}"));

    public static string LogLine(TrainingEvent e)
    {
        var pct = e.TotalSteps > 0 ? 100.0 * e.Step / e.TotalSteps : 0;
        var parts = new List<string>
        {
            $"step {e.Step}/{e.TotalSteps} ({pct.ToString("0", Inv)}%)",
            $"epoch {e.Epoch}",
            $"loss {(e.Loss is double l ? Number(l) : "-")}",
            $"lr {e.LearningRate.ToString("0.00e+00", Inv)}",
        };
        if (e.TokensPerSecond is double tps) parts.Add($"{tps.ToString("N0", Inv)} tok/s");
        parts.Add($"ETA {(e.Eta is TimeSpan eta ? Time(eta) : "-")}");
        return string.Join(" | ", parts);
    }
}
