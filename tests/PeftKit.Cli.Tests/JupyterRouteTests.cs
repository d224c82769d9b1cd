namespace PeftKit.Cli.Tests;

/// <summary>
/// Notebook 00 through the Jupyter route a reader with JupyterLab takes: the .NET (C#) kernelspec that
/// `dotnet-interactive jupyter install` writes, executed by Debian's nbconvert (jupyter-client, python3-ipykernel).
/// tests/run.sh installs both.
/// </summary>
public sealed class JupyterRouteTests
{
    const string Jupyter = "/usr/bin/jupyter";

    [Fact]
    public void NbconvertExecutesNotebook00InTheDotnetKernel()
    {
        Assert.True(File.Exists(Jupyter), $"{Jupyter} is missing: apt-get install jupyter-client python3-ipykernel jupyter-nbconvert (tests/run.sh does).");
        var (listed, specs) = Tool.Run(Jupyter, ["kernelspec", "list"], Repo.Root, TimeSpan.FromMinutes(1));
        Assert.True(listed == 0 && specs.Contains(".net-csharp", StringComparison.Ordinal),
            $"No .net-csharp kernelspec: run `dotnet tool restore && dotnet tool run dotnet-interactive jupyter install` (tests/run.sh does).\n{specs}");

        const string name = "00-setup-and-base-models.ipynb";
        // Inside the repository, so the kernel (started in the notebook's folder) finds the tool manifest and data/.
        var folder = Path.Combine(Repo.Root, "artifacts", "notebook-runs", "jupyter");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), NotebookRuns.QuickCopy(File.ReadAllText(Path.Combine(Repo.Root, "notebooks", name)), name));
        var (exit, log) = Tool.Run(Jupyter,
            ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=.net-csharp", "--ExecutePreprocessor.timeout=900",
             "--output", "executed-" + name, name],
            folder, TimeSpan.FromMinutes(20));
        Assert.True(exit == 0, $"nbconvert --execute exited {exit} (1 = a cell failed):\n{(log.Length > 6000 ? log[^6000..] : log)}");

        var executed = Path.Combine(folder, "executed-" + name);
        var outputs = Cells.Outputs(new NotebookRun(name, exit, executed, log, 0).Notebook).ToList();
        Assert.Empty(outputs.Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()));
        // Through Jupyter the kernel also reports its own reference-unification notes (CS1701: the kernel's
        // Microsoft.AspNetCore.Html.Abstractions 2.3 and TorchSharp's System.Runtime.Numerics 8.0 bound to the
        // runtime's 10.0) as stderr; dotnet-repl does not. They are the kernel's, not the notebook's; anything else fails.
        var stderr = outputs.Where(o => (string?)o["name"] == "stderr").Select(o => Cells.Joined(o["text"]).Trim()).Where(t => t.Length > 0).ToList();
        Assert.All(stderr.SelectMany(t => t.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0),
            line => Assert.StartsWith("warning CS1701:", line));
        Assert.Contains(outputs, o => Cells.Html(o).Contains("<table", StringComparison.Ordinal));
        var charts = outputs.Where(ChartOutputs.IsChart).ToList();
        Assert.NotEmpty(charts);
        foreach (var chart in charts) ChartOutputs.AssertDrawn(chart, "Jupyter route");
        ChartOutputs.AssertNoInlinePlotlyJs(outputs, "Jupyter route");
        Assert.Contains(outputs, o => Cells.Text(o).Contains("profile: quick", StringComparison.Ordinal));
        Validators.Nbformat(executed);
    }
}
