using System.Diagnostics;
using PeftKit.Charts;

namespace PeftKit.Cli.Charts;

/// <summary>
/// Renders a kit chart (drawn by Plotly.NET) to PNG with headless Chromium. Written here because no image-export package for
/// Plotly.NET (Kaleido, PuppeteerSharp's browser download) works offline on this kit's machines; Debian's
/// <c>chromium</c> draws the same offline HTML the notebooks show (plotly.js from the Plotly.NET assembly).
/// </summary>
internal static class ChartPng
{
    static readonly string[] Browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>Writes <paramref name="chart"/> as a <paramref name="width"/>×<paramref name="height"/> PNG to <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">No Chromium is installed, or it did not write the image.</exception>
    internal static void Save(Chart chart, string path, int width, int height)
    {
        var browser = Browsers.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Rendering a PNG needs headless Chromium; install it with `sudo apt-get install -y chromium`.");
        var js = Chart.PlotlyJs;
        var work = Directory.CreateTempSubdirectory("peftkit-png-");
        try
        {
            var page = Path.Combine(work.FullName, "chart.html");
            var figure = chart.ToFigureJson().Replace("</", "<\\/", StringComparison.Ordinal);
            File.WriteAllText(page, $$"""
                <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}</style>
                <script>{{js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}}</script></head>
                <body><div id="chart"></div><script>
                var f = {{figure}};
                Plotly.newPlot('chart', f.data, Object.assign({}, f.layout, {width: {{width}}, height: {{height}}}), {staticPlot: true});
                </script></body></html>
                """);
            var target = Path.GetFullPath(path);
            File.Delete(target);
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + Path.Combine(work.FullName, "profile"),
                    "--virtual-time-budget=5000", $"--window-size={width},{height}", "--screenshot=" + target, "file://" + page,
                },
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(target))
                throw new InvalidOperationException($"Chromium did not write {target} (exit {process.ExitCode}):\n{stderr.Result}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
