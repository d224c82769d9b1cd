using System.CommandLine;
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
        var command = new Command("export", "Export a notebook as a standalone HTML page (--to html) or a file-based app for `dotnet run` (--to cs).")
        {
            input, to, output,
        };
        command.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(to)!, parse.GetValue(output)));
        return command;
    }

    static int Run(string input, string to, string? output)
    {
        Notebook notebook;
        try
        {
            notebook = NotebookReader.ReadFile(input);
        }
        catch (Exception e) when (e is NotebookFormatException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        var target = output ?? Path.ChangeExtension(input, to == "html" ? ".html" : ".cs");
        var text = to == "html"
            ? HtmlExporter.Export(notebook, Path.GetFileName(input))
            : CSharpAppExporter.Export(notebook, Path.GetDirectoryName(Path.GetFullPath(input))!, Path.GetDirectoryName(Path.GetFullPath(target))!);
        AtomicFile.WriteAllText(target, text);
        Console.WriteLine($"wrote {target}");
        return 0;
    }
}
