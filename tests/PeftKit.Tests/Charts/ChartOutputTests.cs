using System.Buffers.Binary;
using System.Text.Json.Nodes;
using PeftKit.Charts;

namespace PeftKit.Tests.Charts;

/// <summary>
/// A chart's two forms in a notebook: Plotly's figure JSON and a PNG drawn from that same figure by headless Chromium
/// (tests/run.sh installs it). Which forms a host shows is read from the type's formatter-source attribute.
/// </summary>
public class ChartOutputTests
{
    static readonly Chart Loss = Chart.Line([1, 2, 3], [0.9, 0.5, 0.3], name: "train").WithTitle("loss").WithXAxis("step").WithYAxis("loss");

    static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    [Fact]
    public void ImageIsAPngOfTheChartsSize()
    {
        Assert.NotNull(ChartImage.FindBrowser());
        Assert.Equal((ChartImage.DefaultWidth, ChartImage.DefaultHeight), PngSize(ChartImage.Png(Loss)));
        Assert.Equal((640, 320), PngSize(ChartImage.Png(Loss.WithSize(640, 320))));
    }

    [Fact]
    public void ImageIsTheSameForTheSameChartAndDiffersWithItsData()
    {
        // Deterministic (a re-run notebook's image changes only when its chart does), and drawn from the data: a page
        // where plotly.js failed would give the same blank image for both charts.
        var first = ChartImage.Png(Loss);
        Assert.Equal(first, ChartImage.Png(Loss));
        var other = Chart.Line([1, 2, 3], [0.9, 0.7, 0.6], name: "train").WithTitle("loss").WithXAxis("step").WithYAxis("loss");
        Assert.NotEqual(first, ChartImage.Png(other));
    }

    [Fact]
    public void HostsShowTheFigureAndTheImage()
    {
        var attribute = typeof(Chart).GetCustomAttributes(false).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var preferred = (string[])attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute)!;
        Assert.Equal(["application/vnd.plotly.v1+json", "image/png"], preferred); // a browser is installed here

        var source = new ChartFormatterSource();
        var forms = source.CreateTypeFormatters().ToDictionary(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)!, f => f);
        string Format(string mime)
        {
            using var writer = new StringWriter();
            var f = forms[mime];
            Assert.True((bool)f.GetType().GetMethod("Format")!.Invoke(f, [Loss, writer])!);
            return writer.ToString();
        }
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Loss.ToFigureJson()), JsonNode.Parse(Format("application/vnd.plotly.v1+json"))));
        Assert.Equal((ChartImage.DefaultWidth, ChartImage.DefaultHeight), PngSize(Convert.FromBase64String(Format("image/png"))));
    }

    [Fact]
    public void WithoutABrowserTheSecondFormIsInteractiveHtml()
    {
        var saved = Environment.GetEnvironmentVariable(ChartImage.BrowserVariable);
        try
        {
            Environment.SetEnvironmentVariable(ChartImage.BrowserVariable, "/nonexistent/chromium");
            Assert.Null(ChartImage.FindBrowser());
            Assert.Equal(["application/vnd.plotly.v1+json", "text/html"], ChartFormatterSource.MimeTypes);
            var e = Assert.Throws<InvalidOperationException>(() => ChartImage.Png(Loss));
            Assert.Contains(ChartImage.BrowserVariable, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChartImage.BrowserVariable, saved);
        }
    }
}
