using System.CommandLine;
using PeftKit.Cli.Charts;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;

namespace PeftKit.Cli.Commands;

/// <summary>`kit export`: a notebook as a standalone HTML page or a .NET 10 file-based app.</summary>
internal static class ExportCommand
{
    internal static Command Create()
    {
        var input = new Argument<string>("notebook") { Description = "The .ipynb to export." };
        var to = new Option<string>("--to") { Description = "html or cs.", Required = true };
        to.AcceptOnlyFromAmong("html", "cs");
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default: beside the notebook, .html or .cs)." };
        var command = new Command("export", "Export a notebook as a standalone HTML page (--to html) or a file-based app for `dotnet run` (--to cs)." +
            ExitCode.Describe("the notebook could not be read or the output could not be written"))
        {
            input, to, output,
        };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(input)!, parse.GetValue(to)!, parse.GetValue(output), cancel));
        return command;
    }

    static async Task<int> RunAsync(string input, string to, string? output, CancellationToken cancel)
    {
        if (!File.Exists(input))
            return ExitCode.BadArgument(Directory.Exists(input) ? $"{input} is a folder; give one .ipynb file." : $"{input}: notebook not found.");
        Notebook notebook;
        try
        {
            notebook = NotebookReader.ReadFile(input);
        }
        catch (Exception e) when (e is NotebookFormatException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCode.Failed;
        }
        var target = output ?? Path.ChangeExtension(input, to == "html" ? ".html" : ".cs");
        var notebookDir = Path.GetDirectoryName(Path.GetFullPath(input))!;
        string text;
        if (to == "html")
            text = HtmlPage.Export(notebook, Path.GetFileName(input));
        else
        {
            // The packages' assemblies let the export see which trailing expressions are void; the restore is cached.
            var references = await CSharpAppExporter.TryRestoreReferencesAsync(notebook, notebookDir, cancel);
            if (references is null)
                Console.Error.WriteLine("warning: the notebook's NuGet packages could not be restored; exporting without their types.");
            text = CSharpAppExporter.Export(notebook, notebookDir, Path.GetDirectoryName(Path.GetFullPath(target))!, references);
        }
        try
        {
            AtomicFile.WriteAllText(target, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: could not write {target}: {e.Message}");
            return ExitCode.Failed;
        }
        Console.WriteLine($"wrote {target}");
        if (to == "cs")
            Console.WriteLine($"run it with: dotnet run {target}");
        return ExitCode.Ok;
    }
}
