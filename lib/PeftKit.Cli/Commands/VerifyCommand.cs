using System.CommandLine;
using PeftKit.Notebooks.Fingerprints;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Provenance;
using Spectre.Console;

namespace PeftKit.Cli.Commands;

/// <summary>`kit verify`: check that each notebook's committed outputs came from a full-profile run of exactly its code.</summary>
internal static class VerifyCommand
{
    internal static Command Create()
    {
        var inputs = new Argument<string[]>("notebooks")
        {
            Description = "Notebook files, folders (their *.ipynb) or globs (*.ipynb); default: the notebooks/ folder here.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("verify",
            "Check that each notebook's outputs came from a full-profile run of exactly its code cells as they are now. `kit run` " +
            "records in the notebook's metadata (peftkit.run) the profile and -p overrides it ran with and a hash of its code cells " +
            "(their source and language). A notebook passes when that record is there, its profile is \"full\" with no other -p " +
            "values, and the hash equals that of its code cells now. Markdown edits need no re-run (markdown, raw cells, outputs " +
            "and cell metadata are not hashed); any edit of a code cell does: kit run NOTEBOOK --inplace. A quick-profile fingerprint beside it " +
            "(fingerprints/NAME.txt) whose header names another code hash fails too." + ExitCode.Describe(
                "a notebook could not be read or does not pass (each one's line says why and what to run)"))
        {
            inputs,
        };
        command.SetAction(parse => Verify(parse.GetValue(inputs) is { Length: > 0 } given ? given : ["notebooks"]));
        return command;
    }

    static int Verify(string[] inputs)
    {
        var (files, missing) = RunCommand.Expand(inputs);
        if (missing.Count > 0)
        {
            foreach (var m in missing)
                Console.Error.WriteLine($"error: {m}");
            return ExitCode.BadArguments;
        }
        if (files.Count == 0)
            return ExitCode.BadArgument($"no notebooks in {string.Join(", ", inputs)}.");

        var table = new Table().AddColumns("notebook", "code cells", "status");
        bool allOk = true;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            string? problem;
            string cells, status = "stale";
            try
            {
                var notebook = NotebookReader.ReadFile(file);
                cells = notebook.Cells.Count(c => c.Type == CellType.Code).ToString(System.Globalization.CultureInfo.InvariantCulture);
                problem = (NotebookProvenance.Problem(notebook) ?? StaleFingerprint(file, notebook)) is { } p
                    ? $"{p} — re-run it: kit run {file} --inplace"
                    : null;
            }
            catch (Exception e) when (e is NotebookFormatException or IOException or UnauthorizedAccessException)
            {
                cells = "-";
                status = "unreadable";
                problem = $"unreadable: {e.Message}";
            }
            if (problem is not null)
            {
                allOk = false;
                Console.Error.WriteLine($"error: {name}: {problem}");
            }
            table.AddRow(Markup.Escape(name), cells, problem is null ? "[green]ok[/]" : $"[red]{status}[/]");
        }
        AnsiConsole.Write(table);
        return allOk ? ExitCode.Ok : ExitCode.Failed;
    }

    /// <summary>
    /// What is wrong with the notebook's quick-profile fingerprint (fingerprints/NAME.txt), when there is one whose header
    /// carries a code hash other than the notebook's; null otherwise (no fingerprint, or one from before the hash).
    /// </summary>
    static string? StaleFingerprint(string file, Notebook notebook)
    {
        var path = NotebookFingerprint.PathFor(file);
        if (!File.Exists(path) || NotebookFingerprint.CodeHashIn(File.ReadAllText(path)) is not { } recorded)
            return null;
        return recorded == NotebookProvenance.CodeHash(notebook)
            ? null
            : $"its fingerprint {Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(file))!, path)} was recorded with other code than its outputs";
    }
}
