using System.Text.Json.Nodes;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Parameters;

namespace PeftKit.Notebooks.Tests;

public class ParameterTests
{
    static Notebook Make() => new()
    {
        Cells =
        [
            new NotebookCell { Type = CellType.Code, Source = "var profile = \"full\";\nint steps = 10;\nvar lr = 0.5;\nvar quick = false;", Metadata = new JsonObject { ["tags"] = new JsonArray("parameters") } },
            new NotebookCell { Type = CellType.Code, Source = "steps" },
        ],
    };

    [Fact]
    public void InjectsTypedCellAfterParameters()
    {
        var nb = Make();
        ParameterInjector.Inject(nb, new Dictionary<string, string> { ["profile"] = "quick \"x\"", ["steps"] = "50", ["lr"] = "0.25", ["quick"] = "true" });
        Assert.Equal(3, nb.Cells.Count);
        Assert.Equal(["injected-parameters"], nb.Cells[1].Tags);
        Assert.Equal("// Injected parameters\nvar profile = \"quick \\\"x\\\"\";\nint steps = 50;\nvar lr = 0.25d;\nvar quick = true;", nb.Cells[1].Source);
    }

    [Fact]
    public void BadValueAndUnknownNameAreClearErrors()
    {
        Assert.Equal("Parameter 'steps': \"ten\" is not a valid int.",
            Assert.Throws<ArgumentException>(() => ParameterInjector.Inject(Make(), new Dictionary<string, string> { ["steps"] = "ten" })).Message);
        Assert.StartsWith("Parameter 'nope' is not assigned in the parameters cell (it assigns: profile, steps, lr, quick).",
            Assert.Throws<ArgumentException>(() => ParameterInjector.Inject(Make(), new Dictionary<string, string> { ["nope"] = "1" })).Message);
    }
}
