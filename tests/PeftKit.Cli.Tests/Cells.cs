using System.Text.Json.Nodes;

namespace PeftKit.Cli.Tests;

/// <summary>Reading cells and outputs of an .ipynb (source and text may be a string or an array of lines).</summary>
internal static class Cells
{
    internal static string Joined(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => (string?)x)),
        _ => (string?)node ?? "",
    };

    internal static string Source(JsonObject cell) => Joined(cell["source"]);

    internal static IEnumerable<JsonObject> Code(JsonObject notebook) =>
        notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code");

    internal static IEnumerable<JsonObject> Outputs(JsonObject cellOrNotebook) => cellOrNotebook["cells"] is JsonArray cells
        ? cells.SelectMany(c => c!["outputs"]?.AsArray() ?? []).Select(o => o!.AsObject())
        : (cellOrNotebook["outputs"]?.AsArray() ?? []).Select(o => o!.AsObject());

    internal static string Html(JsonObject output) => Joined(output["data"]?["text/html"]);

    internal static string Text(JsonObject output) => Joined(output["text"]) + Joined(output["data"]?["text/plain"]);

    /// <summary>Everything a cell printed to stdout, in order.</summary>
    internal static string Stdout(JsonObject cell) => string.Concat(Outputs(cell)
        .Where(o => (string?)o["output_type"] == "stream" && (string?)o["name"] == "stdout").Select(o => Joined(o["text"])));

    internal static List<string> Tags(JsonObject cell) => cell["metadata"]?["tags"]?.AsArray().Select(t => (string)t!).ToList() ?? [];
}
