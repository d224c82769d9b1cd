using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PeftKit.Cli.Tests;

/// <summary>
/// Debian's headless Chromium (FACTS.md; tests/run.sh installs it) as a reader's browser: what a page shows after its
/// scripts ran, and a screenshot of it.
/// </summary>
internal static partial class Browser
{
    const string Chromium = "/usr/bin/chromium";

    /// <summary>What a reader sees on <paramref name="page"/>, measured in the page after load (see the probe below).</summary>
    internal sealed record View(string[] RawMath, int Katex, int Charts, int DrawnCharts, int ChartImages);

    /// <summary>Loads a copy of <paramref name="page"/> with a probe appended that reports what the page shows.</summary>
    internal static View Look(string page)
    {
        var probe = Path.Combine(Path.GetDirectoryName(page)!, Path.GetFileNameWithoutExtension(page) + ".probe.html");
        // innerText is the text a reader sees (KaTeX's hidden MathML annotation, the TeX source, is not in it), read from the
        // markdown cells only: code may hold \( or \[ in a regular expression.
        File.WriteAllText(probe, File.ReadAllText(page) + """
            <script>
            window.addEventListener('load', function () { setTimeout(function () {
              var charts = Array.from(document.querySelectorAll('.peftkit-plotly'));
              var text = Array.from(document.querySelectorAll('.cell.markdown')).map(function (c) { return c.innerText; }).join('\n');
              var view = { RawMath: ['$$', '\\(', '\\)', '\\[', '\\]'].filter(function (d) { return text.indexOf(d) >= 0; }),
                Katex: document.querySelectorAll('.katex').length, Charts: charts.length,
                DrawnCharts: charts.filter(function (c) { return c.querySelector('svg.main-svg'); }).length,
                ChartImages: charts.filter(function (c) { return c.querySelector('img'); }).length };
              var pre = document.createElement('pre'); pre.id = 'peftkit-probe'; pre.textContent = JSON.stringify(view);
              document.body.appendChild(pre);
            }, 100); });
            </script>
            """);
        var (exit, dom) = Tool.Run(Chromium, [.. Common(), "--virtual-time-budget=15000", "--dump-dom", new Uri(probe).AbsoluteUri],
            Path.GetTempPath(), TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"chromium --dump-dom exited {exit}:\n{dom[..Math.Min(3000, dom.Length)]}");
        var json = Probe().Match(dom);
        Assert.True(json.Success, $"the probe did not report (scripts did not run?) on {page}");
        var view = JsonNode.Parse(WebUtility.HtmlDecode(json.Groups[1].Value))!;
        return new View([.. view["RawMath"]!.AsArray().Select(d => (string)d!)], (int)view["Katex"]!, (int)view["Charts"]!,
            (int)view["DrawnCharts"]!, (int)view["ChartImages"]!);
    }

    /// <summary>Writes a screenshot of <paramref name="page"/>'s first <paramref name="height"/> pixels to <paramref name="png"/>.</summary>
    internal static void Screenshot(string page, string png, int width = 1000, int height = 2400)
    {
        var (exit, log) = Tool.Run(Chromium, [.. Common(), "--virtual-time-budget=15000", "--hide-scrollbars", $"--window-size={width},{height}",
            "--screenshot=" + png, new Uri(page).AbsoluteUri], Path.GetTempPath(), TimeSpan.FromMinutes(3));
        Assert.True(exit == 0 && File.Exists(png), $"chromium --screenshot exited {exit}:\n{log}");
    }

    static string[] Common() =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + Path.Combine(Path.GetTempPath(), "peftkit-chromium-" + Guid.NewGuid().ToString("N")),
    ];

    [GeneratedRegex(@"<pre id=""peftkit-probe"">([^<]*)</pre>")]
    private static partial Regex Probe();
}
