using System.Text;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

public class ReaderWriterTests
{
    [Fact]
    public void MalformedJsonNamesFileAndPosition()
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookReader.ReadFile(Path.Combine(Fixture.Dir, "malformed.ipynb")));
        Assert.StartsWith("malformed.ipynb: malformed JSON at line 1, byte ", e.Message.Replace(Fixture.Dir + "/", ""));
    }

    [Fact]
    public void WrongTypeNamesTheKey()
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookReader.Read("""{"nbformat":4,"nbformat_minor":5,"cells":[{"cell_type":"code","source":3}]}""", "x.ipynb"));
        Assert.Equal("x.ipynb: cells[0].source: expected a string or an array of strings, found a number.", e.Message);
    }

    [Fact]
    public void RoundTripWritesSourceArraysAndIds()
    {
        var nb = NotebookReader.ReadFile(Path.Combine(Fixture.Dir, "no-metadata.ipynb"));
        var json = JsonNode.Parse(NotebookWriter.ToJson(nb))!;
        Assert.Equal(5, (int)json["nbformat_minor"]!);
        Assert.Equal(["var a = 6 * 7;\n", "a"], json["cells"]![0]!["source"]!.AsArray().Select(n => (string)n!));
        Assert.False(string.IsNullOrEmpty((string?)json["cells"]![0]!["id"]));
    }

    const string Cell = """{"cell_type":"code","execution_count":null,"metadata":{},"outputs":[],"source":"1"}""";

    static NotebookFormatException Rejected(string json) =>
        Assert.Throws<NotebookFormatException>(() => NotebookReader.Read(Encoding.UTF8.GetBytes(json), "x.ipynb"));

    [Theory]
    [InlineData(@"\ud800", "cells[0].source")]
    [InlineData(@"a\udc00b", "cells[0].source")]
    [InlineData(@"\udc00\ud800", "cells[0].source")]
    public void UnpairedSurrogateEscapeIsRejectedWithItsPath(string escape, string path)
    {
        var e = Rejected($$"""{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"outputs":[],"source":"{{escape}}"}]}""");
        Assert.StartsWith($"x.ipynb: {path}: a \\u escape in this string is half of a UTF-16 surrogate pair", e.Message);
    }

    [Fact]
    public void UnpairedSurrogateInAKeyOrInTextIsRejected()
    {
        var e = Rejected("""{"nbformat":4,"nbformat_minor":5,"metadata":{"\ud800":1},"cells":[]}""");
        Assert.StartsWith("x.ipynb: metadata (a key): a \\u escape", e.Message);
        var t = Assert.Throws<NotebookFormatException>(() => NotebookReader.Read("{\"cells\":\"\ud800\"}", "t.ipynb"));
        Assert.StartsWith("t.ipynb: character 10 is half of a UTF-16 surrogate pair", t.Message);
    }

    [Fact]
    public void ValidSurrogatePairsAreRead()
    {
        var nb = NotebookReader.Read(Encoding.UTF8.GetBytes($$"""{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"markdown","metadata":{},"source":"\ud83d\ude00 😀"}]}"""), "x.ipynb");
        Assert.Equal("😀 😀", nb.Cells[0].Source);
    }

    [Theory]
    [InlineData("""{"nbformat":4,"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}""", "nbformat", "nbformat")]
    [InlineData("""{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","cell_type":"markdown","metadata":{},"source":""}]}""", "cells[0].cell_type", "cell_type")]
    [InlineData("""{"nbformat":4,"nbformat_minor":5,"metadata":{"a":{"tags":[],"tags":[]}},"cells":[]}""", "metadata.a.tags", "tags")]
    [InlineData("""{"nbformat":4,"nbformat_minor":5,"metadata":{"text/plain":1,"text\/plain":2},"cells":[]}""", "metadata[\"text/plain\"]", "text/plain")]
    public void DuplicateKeyIsRejectedWithPathAndKey(string json, string path, string key)
    {
        var e = Rejected(json);
        Assert.Equal($"x.ipynb: {path}: duplicate key \"{key}\" (a JSON object must not repeat a key; keep one of them).", e.Message);
    }

    /// <summary>A notebook whose deepest value sits <paramref name="depth"/> levels down (the top-level object is 1).</summary>
    static string NestedTo(int depth)
    {
        // top-level object (1) → metadata (2) → "deep" arrays: 3 … depth
        int arrays = depth - 2;
        return $"{{\"nbformat\":4,\"nbformat_minor\":5,\"cells\":[{Cell}],\"metadata\":{{\"deep\":{new string('[', arrays)}{new string(']', arrays)}}}}}";
    }

    [Fact]
    public void EveryDepthTheReaderAcceptsIsWritableAndDeeperIsRejectedBeforeAnythingRuns()
    {
        var deepest = NotebookReader.Read(Encoding.UTF8.GetBytes(NestedTo(NotebookJson.MaxDepth)), "x.ipynb");
        var json = NotebookWriter.ToJson(deepest); // threw at depth 64 before
        Assert.Equal(json, NotebookWriter.ToJson(NotebookReader.Read(json, "again.ipynb")));
        var e = Rejected(NestedTo(NotebookJson.MaxDepth + 1));
        Assert.StartsWith($"x.ipynb: metadata.deep{string.Concat(Enumerable.Repeat("[0]", NotebookJson.MaxDepth - 2))}: nested deeper than 256 levels", e.Message);
    }

    [Fact]
    public void WriterReplacesUnpairedSurrogatesInExecutedOutput()
    {
        // A cell may print half a surrogate pair; what it printed must still be written and read back.
        var nb = NotebookReader.Read(Encoding.UTF8.GetBytes($$"""{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{{Cell}}]}"""), "x.ipynb");
        nb.Cells[0].Outputs.Add(CellOutput.Stream("stdout", "a\ud800b\n"));
        var again = NotebookReader.Read(NotebookWriter.ToJson(nb), "again.ipynb");
        Assert.Equal("a\ufffdb\n", again.Cells[0].Outputs[0].Text);
    }

    static Notebook Executed()
    {
        var nb = NotebookReader.Read(Encoding.UTF8.GetBytes($$"""{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{{Cell}}]}"""), "x.ipynb");
        nb.Cells[0].Outputs.Add(CellOutput.Stream("stdout", "twenty minutes of training\n"));
        return nb;
    }

    static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-nb-tests", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void ExecutedOutputSurvivesAFailedWriteBesideTheTarget()
    {
        var dir = TempDir();
        var target = Path.Combine(dir, "run.ipynb");
        Directory.CreateDirectory(target); // a folder where the notebook should go: the move onto it fails
        var rescued = NotebookWriter.WriteFileOrRescue(Executed(), target);
        Assert.NotNull(rescued);
        Assert.Equal(dir, Path.GetDirectoryName(rescued.Path));
        Assert.Matches(@"^run\.rescued-\d{8}-\d{6}-[0-9a-f]{6}\.ipynb$", Path.GetFileName(rescued.Path));
        Assert.Equal("twenty minutes of training\n", NotebookReader.ReadFile(rescued.Path).Cells[0].Outputs[0].Text);
        Assert.Empty(Directory.GetFileSystemEntries(target)); // nothing half-written at the output path
        Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length); // the target folder and the rescue file: no temp files
    }

    [Fact]
    public void ExecutedOutputSurvivesWhenNoJsonCanBeWritten()
    {
        // Output JSON built in code deeper than the reader reads: the writer refuses it; the run is saved as text.
        var nb = Executed();
        JsonNode deep = new JsonArray();
        for (int i = 0; i < NotebookJson.MaxDepth; i++)
            deep = new JsonArray(deep);
        nb.Cells[0].Outputs.Add(new CellOutput { Kind = OutputKind.DisplayData, Data = new() { ["application/json"] = deep, ["text/plain"] = "a deep value" } });
        Assert.Throws<InvalidOperationException>(() => NotebookWriter.ToJson(nb));
        var dir = TempDir();
        var target = Path.Combine(dir, "run.ipynb");
        var rescued = NotebookWriter.WriteFileOrRescue(nb, target);
        Assert.NotNull(rescued);
        Assert.EndsWith(".txt", rescued.Path);
        Assert.Contains("maximum allowed depth of 256", rescued.Reason);
        var text = File.ReadAllText(rescued.Path);
        Assert.Contains("twenty minutes of training", text);
        Assert.Contains("a deep value", text);
        Assert.False(File.Exists(target));
        Assert.Single(Directory.GetFiles(dir));
    }
}
