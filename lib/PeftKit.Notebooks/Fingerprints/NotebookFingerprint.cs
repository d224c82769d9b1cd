using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Fingerprints;

/// <summary>
/// The numbers an executed notebook prints and tabulates, as lines of text with run-to-run noise masked
/// (<see cref="OutputMask"/>): what a code change that moves a notebook's results changes, and nothing else.
/// </summary>
/// <remarks>
/// One line per stdout line (<c>3: text</c>), per table row (<c>3| a | b</c>, measured columns as <c>#</c>), per
/// stderr line (<c>3! text</c>) and per error (<c>3! Name: message</c>), where 3 is the code cell's number counted
/// without injected-parameters cells, so the kernel's copy and the engine's number alike. Charts, images and other
/// HTML are left out: the tables carry the same numbers, and a host's own displays (package installs) differ. The
/// table of <c>KitTorch.Setup</c>'s result becomes one line (<c>3~ setup: …</c>) of what sets the numerics and is the
/// same on every machine that should reproduce them: the TorchSharp and libtorch versions, the seed, deterministic
/// algorithms and how the CPU kernels were chosen. Device, threads and the libstdc++ fix describe the machine and are
/// left out. So a change of those defaults or an upgrade fails the check even where a quick run's printed numbers do
/// not move (the CPU-kernel pin moved 02's full-profile losses in the fourth decimal and no 8-step run's).
/// `kit run --inplace` records a notebook's quick-profile fingerprint beside it when it runs the full profile
/// (<see cref="PathFor"/>); the tests run the quick profile and compare, which catches committed outputs that the
/// committed code no longer produces.
/// </remarks>
public sealed partial class NotebookFingerprint
{
    /// <summary>The folder beside a notebook that holds fingerprints.</summary>
    public const string FolderName = "fingerprints";

    /// <summary>The first cell of a row of the setup table (TorchInfo's first member), in either host's drawing.</summary>
    const string SetupTableMarker = "TorchSharpVersion |";

    /// <summary>The members of the setup table that the fingerprint keeps, in this order.</summary>
    static readonly string[] SetupKept = ["TorchSharpVersion", "LibTorchVersion", "Seed", "Deterministic", "CpuKernels"];

    NotebookFingerprint(IReadOnlyList<string> lines) => Lines = lines;

    /// <summary>The fingerprint lines, in cell order.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Where the fingerprint of <paramref name="notebookPath"/> lives: <c>fingerprints/NAME.txt</c> beside it.</summary>
    public static string PathFor(string notebookPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, FolderName, Path.GetFileNameWithoutExtension(notebookPath) + ".txt");

    /// <summary>The fingerprint of an executed notebook.</summary>
    public static NotebookFingerprint Of(Notebook executed)
    {
        ArgumentNullException.ThrowIfNull(executed);
        var lines = new List<string>();
        int number = 0;
        foreach (var cell in executed.Cells.Where(c => c.Type == CellType.Code && !c.Tags.Contains("injected-parameters")))
        {
            number++;
            // The kernel and the engine interleave a cell's prints and displays differently: streams first, then displays.
            var stdout = string.Concat(cell.Outputs.Where(o => o.Kind == OutputKind.Stream && o.StreamName == "stdout").Select(o => o.Text));
            lines.AddRange(TextLines(stdout).Select(l => $"{number}: {OutputMask.Apply(l)}"));
            var stderr = string.Concat(cell.Outputs.Where(o => o.Kind == OutputKind.Stream && o.StreamName != "stdout").Select(o => o.Text));
            lines.AddRange(TextLines(stderr).Select(l => $"{number}! {OutputMask.Apply(l)}"));
            foreach (var output in cell.Outputs)
            {
                if (output.Kind == OutputKind.Error)
                    lines.Add($"{number}! {output.EName}: {OutputMask.Apply(output.EValue)}");
                else if (output.GetText("text/html") is { } html && html.Contains("<table", StringComparison.OrdinalIgnoreCase))
                {
                    var rows = TableRows(html).ToList();
                    if (rows.Any(r => r.Contains(SetupTableMarker, StringComparison.Ordinal)))
                        lines.Add($"{number}~ setup: {SetupLine(rows)}");
                    else
                        lines.AddRange(rows.Select(r => $"{number}| {r}"));
                }
            }
        }
        // As the file reads back: a printed value with a line break (a generated subject line in a table cell) becomes
        // several lines, so a fresh run compares equal to the recorded file (Of(x) == Parse(ToText(Of(x)))).
        return Parse(string.Join('\n', lines));
    }

    /// <summary>The code hash in a fingerprint file's header; null when it has none (recorded before the kit wrote one).</summary>
    public static string? CodeHashIn(string text) =>
        text.Replace("\r\n", "\n").Split('\n').FirstOrDefault(l => l.StartsWith(CodeHashHeader, StringComparison.Ordinal)) is { } line
            ? line[CodeHashHeader.Length..].Trim()
            : null;

    /// <summary>Reads a fingerprint file (lines starting with '#' are its header).</summary>
    public static NotebookFingerprint Parse(string text) =>
        new([.. text.Replace("\r\n", "\n").Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))]);

    /// <summary>The header line that carries the code hash of the notebook it was recorded with.</summary>
    const string CodeHashHeader = "# code_sha256: ";

    /// <summary>
    /// The file's text: a header that says what it is and how to re-record it (and, given <paramref name="codeSha256"/>,
    /// the code hash of the notebook it was recorded with, as its run record has it), then the lines.
    /// </summary>
    public string ToText(string notebookName, string recordCommand, string? codeSha256 = null)
    {
        var text = new StringBuilder()
            .AppendLine($"# Quick-profile fingerprint of {notebookName}: what its code cells print and tabulate at -p profile=quick,")
            .AppendLine("# wall-clock and memory figures masked (#), paths as <path>; \"N:\" stdout, \"N|\" a table row, \"N!\" stderr or an")
            .AppendLine("# error, N the code cell. Recorded with the committed outputs by the same code; the tests compare their quick runs")
            .AppendLine($"# with it. Never edit it by hand; re-record with the outputs: {recordCommand}");
        if (codeSha256 is not null)
            text.Append(CodeHashHeader).Append(codeSha256).Append('\n');
        foreach (var line in Lines) text.Append(line).Append('\n');
        return text.ToString();
    }

    /// <summary>Null when equal, else where they first differ, as two lines a person can read.</summary>
    public string? FirstDifference(NotebookFingerprint actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        for (int i = 0; i < Math.Max(Lines.Count, actual.Lines.Count); i++)
        {
            string? expected = i < Lines.Count ? Lines[i] : null, got = i < actual.Lines.Count ? actual.Lines[i] : null;
            if (expected != got)
                return $"line {i + 1} (code cell {CellOf(expected ?? got!)}):\n  recorded: {expected ?? "(no more lines)"}\n  this run: {got ?? "(no more lines)"}";
        }
        return null;
    }

    /// <summary>
    /// The kept members of the setup table as "Name=value · …", from either drawing: one "name | value" row per member
    /// (the engine's, the kernel's tree view) or a header row of names over a row of values; a member that is missing
    /// reads "?", so a host that draws it differently shows up as a difference, not as a silent pass.
    /// </summary>
    static string SetupLine(IReadOnlyList<string> rows)
    {
        var cells = rows.Select(r => r.Split(" | ")).ToList();
        var values = new Dictionary<string, string>();
        foreach (var row in cells.Where(r => r.Length == 2 && SetupKept.Contains(r[0])))
            values.TryAdd(row[0], row[1]);
        int header = cells.FindIndex(r => r.Length > 2 && r.Contains(SetupKept[0]));
        if (header >= 0 && header + 1 < cells.Count)
            for (int i = 0; i < cells[header].Length && i < cells[header + 1].Length; i++)
                if (SetupKept.Contains(cells[header][i]))
                    values.TryAdd(cells[header][i], cells[header + 1][i]);
        return string.Join(" · ", SetupKept.Select(name => $"{name}={values.GetValueOrDefault(name, "?")}"));
    }

    static string CellOf(string line) => new(line.TakeWhile(char.IsDigit).ToArray());

    static IEnumerable<string> TextLines(string text) =>
        text.Length == 0 ? [] : text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    /// <summary>
    /// Rows of the kit's flat tables as "a | b | c", cells as text (tags stripped, entities decoded), cells of measured
    /// columns as "#". Regular expressions, not an HTML parser: the tables are the kit's own, one level, no attributes
    /// that hold '&gt;'; nested tables (the kernel's display of an arbitrary object) read as one row per inner row.
    /// </summary>
    static IEnumerable<string> TableRows(string html)
    {
        bool[] measured = [];
        foreach (Match row in Row().Matches(html))
        {
            var cells = Cell().Matches(row.Groups[1].Value).Select(c => WebUtility.HtmlDecode(Tag().Replace(c.Groups[2].Value, "")).Trim()).ToList();
            bool header = row.Groups[1].Value.Contains("<th", StringComparison.OrdinalIgnoreCase);
            if (header && measured.Length == 0)
                measured = [.. cells.Select(OutputMask.IsMeasuredColumn)];
            else if (!header)
                cells = [.. cells.Select((c, i) => i < measured.Length && measured[i] ? "#" : c)];
            yield return OutputMask.Apply(string.Join(" | ", cells));
        }
    }

    [GeneratedRegex(@"<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Row();

    [GeneratedRegex(@"<t(d|h)[^>]*>(.*?)</t\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Cell();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();
}
