using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

/// <summary>Copies fixture notebooks to a fresh temp folder and runs them there.</summary>
internal static class Fixture
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string CopyToTemp(params string[] files)
    {
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-nb-tests", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var f in files.Append("data.txt"))
            File.Copy(Path.Combine(Dir, f), Path.Combine(dir, f), overwrite: true);
        return dir;
    }

    public static async Task<NotebookRunResult> RunAsync(string file, TimeSpan? timeout = null, bool continueOnError = false)
    {
        var dir = CopyToTemp(file);
        var notebook = NotebookReader.ReadFile(Path.Combine(dir, file));
        return await NotebookExecutor.RunAsync(notebook, new NotebookRunOptions(dir, timeout, continueOnError, notebookName: file));
    }

    public static string Text(this NotebookCell cell, string mime = "text/plain") =>
        string.Concat(cell.Outputs.Select(o => o.Kind == OutputKind.Stream ? o.Text : o.GetText(mime) ?? ""));
}
