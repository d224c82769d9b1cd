using System.Text.RegularExpressions;

namespace PeftKit.Notebooks.Fingerprints;

/// <summary>
/// What differs from run to run in a notebook's printed output although the computation is the same, replaced by a
/// placeholder so the rest can be compared exactly: wall-clock figures ("3.2 s", "0.5 minutes", "12.1 steps/s", the
/// trainer's mm:ss), absolute paths (the clone's location), and table columns that measure time or memory.
/// </summary>
public static partial class OutputMask
{
    /// <summary>Timings become "#" (unit kept), mm:ss clocks "#:#", absolute paths "&lt;path&gt;".</summary>
    public static string Apply(string text) => AbsolutePath().Replace(Clock().Replace(Timing().Replace(text, "#$2"), "#:#"), "<path>");

    /// <summary>Whether a table column (by its header) holds wall-clock or memory measurements, e.g. "step ms", "peak +MiB".</summary>
    public static bool IsMeasuredColumn(string header) => MeasuredHeader().IsMatch(header);

    [GeneratedRegex(@"\d[\d,]*(\.\d+)?(\s?(µs|us|ms|s|sec|secs|seconds?|min|mins|minutes?|h|hours?|steps/s|tokens/s))\b")]
    private static partial Regex Timing();

    [GeneratedRegex(@"\b\d{2}:\d{2}(:\d{2})?\b")]
    private static partial Regex Clock();

    // Two or more segments: /work/main/data/models/tiny-gpt, C:\Users\me\x; not "4/8", "n/a" or "steps/s".
    [GeneratedRegex(@"(?<![\w.])(/[\w.+-]+){2,}/?|\b[A-Za-z]:\\[^\s""')]+")]
    private static partial Regex AbsolutePath();

    // "min" alone is not here: 04 tabulates the lowest accuracy over seeds as "min".
    [GeneratedRegex(@"\b(ms|s|sec|seconds|minutes|MiB|MB|GiB|RSS|time|medians|memory)\b")]
    private static partial Regex MeasuredHeader();
}
