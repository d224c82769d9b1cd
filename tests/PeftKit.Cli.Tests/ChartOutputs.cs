using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace PeftKit.Cli.Tests;

/// <summary>
/// What a chart output must hold (PeftKit.Charts.Chart in any host): Plotly's figure JSON under Plotly's MIME type, and a
/// PNG of the same chart that viewers without plotly.js show; never an inline copy of plotly.js.
/// </summary>
internal static class ChartOutputs
{
    internal const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    internal const string PlotlyJsMarker = "/* peftkit:plotly.js */";

    internal static bool IsChart(JsonObject output) => output["data"]?[PlotlyMimeType] is not null;

    /// <summary>
    /// The figure (a JSON object, or JSON text: dotnet-repl and Jupyter's .NET kernel store JSON MIME types as strings)
    /// has traces, and the image is a PNG at least 100×100 pixels. Returns the image's size.
    /// </summary>
    internal static (int Width, int Height) AssertDrawn(JsonObject output, string where)
    {
        var stored = output["data"]![PlotlyMimeType]!;
        var figure = stored is JsonObject o ? o : JsonNode.Parse(Cells.Joined(stored))!.AsObject();
        if (figure["data"] is not JsonArray { Count: > 0 })
            Assert.Fail($"{where}: the chart's figure has no traces: {figure.ToJsonString()[..Math.Min(200, figure.ToJsonString().Length)]}");
        var base64 = Cells.Joined(output["data"]!["image/png"]);
        Assert.True(base64.Length > 0, $"{where}: a chart output without its image/png (viewers without plotly.js show nothing).");
        var png = Convert.FromBase64String(base64);
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"{where}: image/png is not a PNG.");
        // IHDR, the first chunk: length (4), "IHDR" (4), width (4, big-endian), height (4).
        int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.True(width >= 100 && height >= 100, $"{where}: the chart's image is {width}×{height}.");
        return (width, height);
    }

    /// <summary>No output carries plotly.js (3.7 MB a copy); viewers bring their own, exported pages one copy.</summary>
    internal static void AssertNoInlinePlotlyJs(IEnumerable<JsonObject> outputs, string where) =>
        Assert.DoesNotContain(outputs, o => Cells.Html(o).Contains(PlotlyJsMarker, StringComparison.Ordinal) || Cells.Html(o).Length > 1_000_000);
}
