using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PeftKit.Cli.Tests;

/// <summary>
/// Notebook 07 gives every method the same learning-rate search (notebooks/tools/lr-grid-07.ipynb, one executed copy per
/// method under tools/lr-grid-07/) and must use what it found: each method's rate is the one with the best dev accuracy
/// (a tie goes to the lower rate), and 07's seed-42 run at that rate is the search's run at that rate — the same recipe,
/// so the same dev accuracy and best step. Read from the committed notebooks.
/// </summary>
public sealed partial class SharedSearchTests
{
    static string Notebooks => Path.Combine(Repo.Root, "notebooks");

    /// <summary>One method's search: (rate as printed, best dev accuracy or null where it diverged, best step) in grid order.</summary>
    static List<(string Rate, double? Dev, string Step)> Search(string method)
    {
        var file = Path.Combine(Notebooks, "tools", "lr-grid-07", method + ".ipynb");
        Assert.True(File.Exists(file), $"notebook 07 uses a rate for '{method}' but its search, {file}, is not committed");
        var notebook = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var table = Cells.Outputs(notebook).Select(Cells.Html).Last(h => h.Contains("best dev accuracy", StringComparison.Ordinal));
        var rows = Rows(table).Skip(1).ToList();
        Assert.All(rows, r => Assert.Equal(method, r[0]));
        return [.. rows.Select(r => (r[1], r[2] == "diverged" ? (double?)null : double.Parse(r[2], CultureInfo.InvariantCulture), r[3]))];
    }

    static IEnumerable<string[]> Rows(string html) => TableRow().Matches(html)
        .Select(m => Cell().Matches(m.Groups[1].Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray());

    /// <summary>07's rate table: the entries of <c>var rates = new Dictionary&lt;string, double&gt; { ["full"] = 1e-3, … }</c>.</summary>
    static Dictionary<string, double> RatesOf07(JsonObject notebook)
    {
        var cell = Cells.Code(notebook).Select(Cells.Source).Single(s => s.Contains("var rates = new Dictionary<string, double>", StringComparison.Ordinal));
        return RateEntry().Matches(cell).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    static JsonObject Notebook07 => JsonNode.Parse(File.ReadAllText(Path.Combine(Notebooks, "07-comparison.ipynb")))!.AsObject();

    [Fact]
    public void EveryMethodOfNotebook07UsesTheBestDevRateOfTheSharedSearch()
    {
        var rates = RatesOf07(Notebook07);
        var searched = Directory.GetFiles(Path.Combine(Notebooks, "tools", "lr-grid-07"), "*.ipynb").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList();
        Assert.Equal(searched, rates.Keys.Order().ToList());
        Assert.True(rates.Count >= 12, $"07's rate table names {rates.Count} methods; this test would hold little");
        foreach (var (method, rate) in rates)
        {
            var search = Search(method);
            Assert.Equal(7, search.Count);
            double best = search.Where(r => r.Dev is not null).Max(r => r.Dev!.Value);
            var chosen = search.First(r => r.Dev == best);   // grid order is ascending: the first maximum is the lowest rate
            Assert.True(double.Parse(chosen.Rate, CultureInfo.InvariantCulture) == rate,
                $"{method}: 07 uses {rate:G} but its best dev accuracy in the search, {best:F4}, is at {chosen.Rate}");
        }
    }

    [Fact]
    public void Notebook07sSeed42RunOfEachMethodIsTheSearchsRunAtItsRate()
    {
        var notebook = Notebook07;
        var rates = RatesOf07(notebook);
        var table = Cells.Outputs(notebook).Select(Cells.Html).SingleOrDefault(h => h.Contains("<th>adapter bytes</th>", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("07 has no cost table among its outputs: commit it from a full run (kit run notebooks/07-comparison.ipynb --inplace)");
        var rows = Rows(table).ToList();
        var header = rows[0];
        int run = Array.IndexOf(header, "run"), dev = Array.IndexOf(header, "dev acc"), step = Array.IndexOf(header, "best step");
        foreach (var (method, rate) in rates)
        {
            var row = rows.SingleOrDefault(r => r[run] == method) ?? throw new Xunit.Sdk.XunitException($"07's cost table has no run '{method}'");
            var searched = Search(method).Single(r => double.Parse(r.Rate, CultureInfo.InvariantCulture) == rate);
            Assert.True(searched.Dev is not null, $"{method} diverged at its own rate in the search");
            var expected = (Dev: searched.Dev!.Value.ToString("F3", CultureInfo.InvariantCulture), Step: searched.Step);
            Assert.True(expected == (row[dev], row[step]),
                $"{method} at {rate:G}: the search's run had dev {expected.Dev} at step {expected.Step}, 07's seed-42 run dev {row[dev]} at step {row[step]}");
        }
    }

    [GeneratedRegex(@"<tr>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"<t[dh][^>]*>(.*?)</t[dh]>", RegexOptions.Singleline)]
    private static partial Regex Cell();

    [GeneratedRegex(@"\[""([a-z0-9-]+)""\]\s*=\s*([0-9.eE+-]+)")]
    private static partial Regex RateEntry();
}
