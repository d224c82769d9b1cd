using System.Diagnostics;

namespace PeftKit.Charts;

/// <summary>
/// Draws a <see cref="Chart"/> as a PNG with a local headless Chromium-family browser (Chromium, Chrome or Edge), from the
/// same offline plotly.js the interactive chart uses, so the static image and the interactive chart are the same drawing.
/// Written here because no image-export package for Plotly.NET works offline on the kit's machines (Kaleido is not
/// served; PuppeteerSharp downloads its own browser). Notebooks show this image beside the interactive figure, so a
/// viewer that runs no scripts (GitHub, nbviewer, nbconvert's HTML, course-site previews) still shows every chart.
/// </summary>
public static class ChartImage
{
    /// <summary>Environment variable naming the browser executable to use; overrides the search.</summary>
    public const string BrowserVariable = "PEFTKIT_BROWSER";

    /// <summary>Width and height of a chart without <see cref="Chart.WithSize"/> (plotly.js's own default).</summary>
    public const int DefaultWidth = 700, DefaultHeight = 450;

    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    static readonly Lazy<string> PlotlyFolder = new(WritePlotlyJs);

    /// <summary>The browser charts are drawn with, or null when none is installed (see <see cref="BrowserVariable"/>).</summary>
    public static string? FindBrowser()
    {
        if (Environment.GetEnvironmentVariable(BrowserVariable) is { Length: > 0 } chosen)
            return File.Exists(chosen) ? chosen : null;
        return Candidates().FirstOrDefault(File.Exists);
    }

    /// <summary>The PNG bytes of <paramref name="chart"/> at its own size (<see cref="DefaultWidth"/>×<see cref="DefaultHeight"/> if unset).</summary>
    /// <exception cref="InvalidOperationException">No browser is installed, or it wrote no image.</exception>
    public static byte[] Png(Chart chart) => Png(chart, chart.Width ?? DefaultWidth, chart.Height ?? DefaultHeight);

    /// <summary>The PNG bytes of <paramref name="chart"/> drawn at <paramref name="width"/>×<paramref name="height"/> CSS pixels.</summary>
    /// <exception cref="InvalidOperationException">No browser is installed, or it wrote no image.</exception>
    public static byte[] Png(Chart chart, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var browser = FindBrowser() ?? throw new InvalidOperationException(
            $"Drawing a chart as an image needs Chromium, Chrome or Edge and none was found (looked for ${BrowserVariable}, then {string.Join(", ", Candidates())}). " +
            "Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set " + BrowserVariable + " to its executable.");
        var work = Directory.CreateTempSubdirectory("peftkit-png-");
        try
        {
            var page = Path.Combine(work.FullName, "chart.html");
            var image = Path.Combine(work.FullName, "chart.png");
            var figure = chart.ToFigureJson().Replace("</", "<\\/", StringComparison.Ordinal);
            var plotly = new Uri(Path.Combine(PlotlyFolder.Value, "plotly.min.js")).AbsoluteUri;
            File.WriteAllText(page, $$"""
                <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}</style>
                <script src="{{plotly}}"></script></head>
                <body><div id="chart"></div><script>
                var f = {{figure}};
                Plotly.newPlot('chart', f.data, Object.assign({}, f.layout, {width: {{width}}, height: {{height}}}), {staticPlot: true});
                </script></body></html>
                """);
            Run(browser, work.FullName, page, image, width, height);
            return File.ReadAllBytes(image);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { } // a browser helper may still hold its profile a moment
        }
    }

    /// <summary>Writes <paramref name="chart"/> as a PNG file (see <see cref="Png(Chart, int, int)"/>).</summary>
    public static void SavePng(Chart chart, string path, int width, int height) => File.WriteAllBytes(path, Png(chart, width, height));

    static void Run(string browser, string work, string page, string image, int width, int height)
    {
        var start = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--allow-file-access-from-files",
                "--force-device-scale-factor=1", "--user-data-dir=" + Path.Combine(work, "profile"),
                "--virtual-time-budget=5000", $"--window-size={width},{height}", "--screenshot=" + image, new Uri(page).AbsoluteUri,
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {browser}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{browser} did not draw the chart within {Timeout.TotalSeconds:F0} s.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(image))
            throw new InvalidOperationException($"{browser} wrote no image (exit {process.ExitCode}):\n{stderr.Result}{stdout.Result}");
    }

    /// <summary>plotly.js, once per process, in a folder of its own (each page loads it by file URL, not inline).</summary>
    static string WritePlotlyJs()
    {
        var folder = Directory.CreateTempSubdirectory("peftkit-plotly-").FullName;
        File.WriteAllText(Path.Combine(folder, "plotly.min.js"), Chart.PlotlyJs);
        return folder;
    }

    static IEnumerable<string> Candidates()
    {
        if (OperatingSystem.IsWindows())
        {
            foreach (var root in new[] { Environment.GetFolderPath(Environment.SpecialFolder.ProgramFilesX86), Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles) })
            {
                yield return Path.Combine(root, "Microsoft", "Edge", "Application", "msedge.exe");
                yield return Path.Combine(root, "Google", "Chrome", "Application", "chrome.exe");
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
            yield return "/Applications/Chromium.app/Contents/MacOS/Chromium";
            yield return "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge";
        }
        else
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge" })
                yield return "/usr/bin/" + name;
        }
    }
}
