using System.Text.Json.Nodes;
using PeftKit.Notebooks.Fingerprints;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Parameters;
using PeftKit.Notebooks.Provenance;

namespace PeftKit.Notebooks.Tests;

/// <summary>
/// The run record's code hash covers exactly the code cells (source and language, in order) and nothing a markdown
/// edit or a run changes; <see cref="NotebookProvenance.Problem"/> passes a full run of the code as it is and says
/// what is wrong otherwise.
/// </summary>
public sealed class ProvenanceTests
{
    static NotebookCell Code(string source, params string[] tags) =>
        new() { Type = CellType.Code, Source = source, Metadata = new JsonObject { ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode?)t)]) } };

    static NotebookCell Markdown(string source) => new() { Type = CellType.Markdown, Source = source };

    static Notebook Make() => new()
    {
        Metadata = new JsonObject { ["kernelspec"] = new JsonObject { ["language"] = "C#", ["name"] = ".net-csharp" } },
        Cells =
        [
            Markdown("# Title\nSome prose."),
            Code("var profile = \"full\";\nint n = 1;", "parameters"),
            Code("var x = n + 1;\nConsole.WriteLine(x);"),
            Markdown("More prose."),
            Code("x * 2"),
        ],
    };

    /// <summary>A notebook as `kit run` leaves it after a full run: outputs, counts and the record.</summary>
    static Notebook Recorded()
    {
        var nb = Make();
        var record = NotebookProvenance.Of(nb, "cpu", "0.1.0");
        nb.Cells[2].Outputs.Add(new CellOutput { Kind = OutputKind.Stream, StreamName = "stdout", Text = "2\n" });
        nb.Cells[2].ExecutionCount = 2;
        record.WriteTo(nb);
        return nb;
    }

    [Fact]
    public void TheHashIgnoresMarkdownOutputsCountsCellMetadataAndLineEndings()
    {
        var hash = NotebookProvenance.CodeHash(Make());
        Assert.Matches("^[0-9a-f]{64}$", hash);

        var edited = Make();
        edited.Cells[0].Source = "# A new title\nRewritten prose.";
        edited.Cells.Insert(3, Markdown("An added paragraph."));
        edited.Cells.Add(new NotebookCell { Type = CellType.Raw, Source = "raw text" });
        edited.Cells[2].Outputs.Add(new CellOutput { Kind = OutputKind.Stream, StreamName = "stdout", Text = "2\n" });
        edited.Cells[2].ExecutionCount = 7;
        edited.Cells[2].Metadata["execution"] = new JsonObject { ["iopub.execute_input"] = "2026-01-01T00:00:00Z" };
        edited.Cells[4].Id = "another-id";
        Assert.Equal(hash, NotebookProvenance.CodeHash(edited));

        var crlf = Make();
        foreach (var cell in crlf.Cells)
            cell.Source = cell.Source.Replace("\n", "\r\n");
        Assert.Equal(hash, NotebookProvenance.CodeHash(crlf));
        Assert.Equal(NotebookProvenance.CellHashes(Make()), NotebookProvenance.CellHashes(crlf));
    }

    [Fact]
    public void TheHashChangesWithACodeCellsSourceLanguageOrOrder()
    {
        var hash = NotebookProvenance.CodeHash(Make());

        var source = Make();
        source.Cells[4].Source = "x * 3";
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(source));

        var whitespace = Make();
        whitespace.Cells[4].Source = "x * 2\n";
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(whitespace));

        var language = Make();
        language.Cells[4].Metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = "fsharp" };
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(language));

        var reordered = Make();
        (reordered.Cells[2], reordered.Cells[4]) = (reordered.Cells[4], reordered.Cells[2]);
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(reordered));

        // Length prefixes: moving text across a cell boundary is a change, not the same concatenation.
        var split = Make();
        split.Cells[2].Source = "var x = n + 1;";
        split.Cells[4].Source = "\nConsole.WriteLine(x);x * 2";
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(split));

        var removed = Make();
        removed.Cells.RemoveAt(4);
        Assert.NotEqual(hash, NotebookProvenance.CodeHash(removed));
    }

    [Fact]
    public void TheRecordSurvivesWritingAndReadingWithItsJsonShape()
    {
        var nb = Recorded();
        var read = NotebookReader.Read(NotebookWriter.ToJson(nb), "nb.ipynb");
        var run = (JsonObject)read.Metadata["peftkit"]!["run"]!;
        Assert.Equal(["profile", "parameters", "code_sha256", "code_cells", "backend", "kit_version"], run.Select(kv => kv.Key));
        Assert.Equal("full", (string?)run["profile"]);
        Assert.Empty((JsonObject)run["parameters"]!);
        Assert.Equal(NotebookProvenance.CodeHash(Make()), (string?)run["code_sha256"]);
        Assert.Equal(3, ((JsonArray)run["code_cells"]!).Count);
        Assert.Equal("cpu", (string?)run["backend"]);
        Assert.Equal("0.1.0", (string?)run["kit_version"]);
        var record = NotebookProvenance.ReadFrom(read)!;
        Assert.Equal(NotebookProvenance.CellHashes(Make()), record.CodeCells);
        Assert.Null(NotebookProvenance.Problem(read));
        // The same run writes the same record (no time, no machine).
        Assert.Equal(nb.Metadata.ToJsonString(), Recorded().Metadata.ToJsonString());
    }

    [Fact]
    public void AFullRunOfTheCodeAsItIsPassesAndMarkdownEditsNeedNoRerun()
    {
        var nb = Recorded();
        Assert.Null(NotebookProvenance.Problem(nb));
        nb.Cells[0].Source = "# Retitled";
        nb.Cells.Add(Markdown("A closing note."));
        Assert.Null(NotebookProvenance.Problem(nb));
    }

    [Fact]
    public void AnEditedCodeCellIsNamed()
    {
        var nb = Recorded();
        nb.Cells[4].Source = "x * 3";
        Assert.Equal("code cell 3 (\"x * 3\") changed since its outputs were made", NotebookProvenance.Problem(nb));

        var added = Recorded();
        added.Cells.Insert(3, Code("var y = 0;"));
        Assert.Equal("code cells were added or removed since its outputs were made (3 then, 4 now; the first difference is at " +
                     "code cell 3 (\"var y = 0;\"))", NotebookProvenance.Problem(added));
    }

    [Fact]
    public void NoRecordIsAProblem()
    {
        Assert.StartsWith("no run record", NotebookProvenance.Problem(Make()));
    }

    [Fact]
    public void AQuickRunOrOverriddenParametersAreProblems()
    {
        var quick = Make();
        ParameterInjector.Inject(quick, new Dictionary<string, string> { ["profile"] = "quick" });
        NotebookProvenance.Of(quick, "cpu", "0.1.0").WriteTo(quick);
        Assert.Equal("quick", NotebookProvenance.ReadFrom(quick)!.Profile);
        Assert.Equal("ran at profile quick, not full", NotebookProvenance.Problem(quick));

        var overridden = Make();
        ParameterInjector.Inject(overridden, new Dictionary<string, string> { ["profile"] = "full", ["n"] = "2" });
        NotebookProvenance.Of(overridden, "cpu", "0.1.0").WriteTo(overridden);
        Assert.Equal(new Dictionary<string, string> { ["n"] = "2" }, NotebookProvenance.ReadFrom(overridden)!.Parameters);
        Assert.Equal("ran with -p n=2, not the notebook's own parameters", NotebookProvenance.Problem(overridden));

        // -p profile=full is the notebook's own run: its injected cell is not in the hash, and it passes.
        var full = Make();
        ParameterInjector.Inject(full, new Dictionary<string, string> { ["profile"] = "full" });
        Assert.Equal(NotebookProvenance.CodeHash(Make()), NotebookProvenance.CodeHash(full));
        NotebookProvenance.Of(full, "cpu", "0.1.0").WriteTo(full);
        Assert.Null(NotebookProvenance.Problem(full));

        // An injected-parameters cell edited by hand afterwards is not what ran.
        full.Cells[2].Source = "// Injected parameters\nvar profile = \"quick\";";
        Assert.Equal("its injected-parameters cell changed since its outputs were made", NotebookProvenance.Problem(full));
    }

    [Fact]
    public void AMalformedOrRemovedRecordIsAProblem()
    {
        var nb = Recorded();
        nb.Metadata["peftkit"]!["run"]!.AsObject().Remove("code_sha256");
        Assert.StartsWith("its run record is malformed", NotebookProvenance.Problem(nb));

        var removed = Recorded();
        removed.Metadata["peftkit"]!.AsObject()["other"] = 1;
        NotebookProvenance.RemoveFrom(removed);
        Assert.Equal("""{"other":1}""", removed.Metadata["peftkit"]!.ToJsonString());
        Assert.StartsWith("no run record", NotebookProvenance.Problem(removed));
    }

    [Fact]
    public void AFingerprintsHeaderCarriesTheCodeHashWhenGivenOne()
    {
        var fingerprint = NotebookFingerprint.Parse("2: hello\n");
        var hash = NotebookProvenance.CodeHash(Make());
        var text = fingerprint.ToText("nb.ipynb", "kit run nb.ipynb --inplace", hash);
        Assert.Equal(hash, NotebookFingerprint.CodeHashIn(text));
        Assert.Equal(["2: hello"], NotebookFingerprint.Parse(text).Lines);
        Assert.Null(NotebookFingerprint.CodeHashIn(fingerprint.ToText("nb.ipynb", "kit run nb.ipynb --inplace")));
    }

    [Fact]
    public void AssignmentsReadEachParameterAsText()
    {
        Assert.Equal(new Dictionary<string, string> { ["profile"] = "full", ["n"] = "50", ["lr"] = "0.25", ["neg"] = "-3", ["on"] = "true", ["name"] = "a \"b\"" },
            ParameterInjector.Assignments("var profile = \"full\";\nint n = 50;\nvar lr = 0.25d;\nvar neg = -3;\nbool on = true;\nstring name = \"a \\\"b\\\"\";"));
    }
}
