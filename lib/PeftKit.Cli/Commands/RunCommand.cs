using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using PeftKit.Cli.Charts;
using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Fingerprints;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Parameters;
using PeftKit.Notebooks.Provenance;
using PeftKit.Setup;
using Spectre.Console;

namespace PeftKit.Cli.Commands;

/// <summary>`kit run`: execute Polyglot C# notebooks headlessly and write them with their outputs.</summary>
internal static class RunCommand
{
    internal static Command Create()
    {
        var inputs = new Argument<string[]>("notebooks") { Description = "Notebook files, folders (their *.ipynb) or globs (*.ipynb).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output") { Description = "Folder for the executed notebooks (default: <name>.out.ipynb beside each input)." };
        var inplace = new Option<bool>("--inplace")
        {
            Description = "Overwrite the input notebooks with the executed ones (for committing). A notebook run at the full profile " +
                          "(its 'profile' parameter \"full\") is then also run at -p profile=quick, and that run's fingerprint " +
                          "(the numbers it prints and tabulates) is written to fingerprints/NAME.txt beside it, for the tests to compare. " +
                          "Every successful run records in the notebook's metadata (peftkit.run) its profile, -p overrides and a hash " +
                          "of its code cells; `kit verify` checks it. Needs Chromium, Chrome or Edge (or PEFTKIT_BROWSER) to draw each " +
                          "chart's PNG image, and stops before running anything without one.",
        };
        var parameters = new Option<string[]>("-p", "--parameter") { Description = "name=value for the cell tagged 'parameters' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var backend = new Option<string>("--backend") { Description = "TorchSharp backend for #r \"nuget: TorchSharp-cpu\": cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        backend.AcceptOnlyFromAmong("cpu", "cuda");
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Per-cell timeout in seconds. A cell that runs longer cannot be stopped (.NET has no thread abort): its notebook " +
                          "is abandoned there (later cells are not run, its late output is discarded), the other notebooks still run, and kit exits with code 3.",
        };
        var html = new Option<bool>("--html") { Description = "Also export each executed notebook as a standalone HTML page." };
        var keepGoing = new Option<bool>("--continue-on-error") { Description = "Run the remaining cells after a failing cell." };
        var command = new Command("run", "Run Polyglot C# notebooks headlessly." + ExitCode.Describe(
            "a notebook could not be read, failed, or could not be written where asked (a rescue copy is saved and named)",
            "a cell ran past --timeout"))
        {
            inputs, output, inplace, parameters, backend, timeout, html, keepGoing,
        };
        command.SetAction(async (parse, cancel) => await RunAsync(
            parse.GetValue(inputs) ?? [], parse.GetValue(output), parse.GetValue(inplace), parse.GetValue(parameters) ?? [],
            parse.GetValue(backend) == "cuda" ? TorchBackend.Cuda : TorchBackend.Cpu, parse.GetValue(timeout), parse.GetValue(html),
            parse.GetValue(keepGoing), cancel));
        return command;
    }

    sealed record Row(string Name, string Cells, TimeSpan Elapsed, string Status, bool Ok);

    static async Task<int> RunAsync(string[] inputs, string? outputDir, bool inplace, string[] parameterArgs, TorchBackend backend,
        double? timeoutSeconds, bool html, bool continueOnError, CancellationToken cancel)
    {
        if (outputDir is not null && inplace)
            return ExitCode.BadArgument("--output and --inplace cannot be used together.");
        // Without a browser a chart's output falls back to HTML, fine for a reader's own run but not for the committed
        // outputs, whose charts must carry a PNG for viewers that run no scripts (GitHub, nbviewer).
        if (inplace && PeftKit.Charts.ChartImage.FindBrowser() is null)
            return ExitCode.BadArgument(
                $"--inplace records the outputs that get committed, and their charts need a PNG image for viewers without plotly.js; drawing it needs Chromium, Chrome or Edge and none was found. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set {PeftKit.Charts.ChartImage.BrowserVariable} to its executable, then run again.");
        if (timeoutSeconds is { } limit && !(limit > 0 && limit <= int.MaxValue))
            return ExitCode.BadArgument($"--timeout must be a positive number of seconds, not {limit}.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameterArgs)
        {
            int eq = p.IndexOf('=');
            if (eq <= 0)
                return ExitCode.BadArgument($"-p {p}: expected name=value.");
            if (!values.TryAdd(p[..eq], p[(eq + 1)..]))
                return ExitCode.BadArgument($"-p {p}: the parameter '{p[..eq]}' is given twice.");
        }
        if (values.TryGetValue("profile", out var profileName))
        {
            try { PeftKit.Setup.Profile.Parse(profileName); }
            catch (ArgumentException e) { return ExitCode.BadArgument($"-p profile={profileName}: {e.Message}"); }
        }
        var (files, missing) = Expand(inputs);
        if (missing.Count > 0)
        {
            foreach (var m in missing)
                Console.Error.WriteLine($"error: {m}");
            return ExitCode.BadArguments;
        }

        var (notebooks, rows, parameterErrors) = ReadAll(files, values);
        if (parameterErrors.Count > 0)
        {
            foreach (var e in parameterErrors)
                Console.Error.WriteLine($"error: {e}");
            return ExitCode.BadArguments;
        }

        if (backend == TorchBackend.Cuda)
            Environment.SetEnvironmentVariable("PEFTKIT_DEVICE", "cuda");
        bool torchReady = false;
        foreach (var (file, notebook) in notebooks)
        {
            var name = Path.GetFileName(file);
            if (!torchReady && notebook.Cells.Any(c => c.Source.Contains("TorchSharp", StringComparison.Ordinal)))
            {
                torchReady = true; // TorchSharp needs the kit's native fix before any torch call in this process
                try { KitTorch.Setup(); }
                catch (TorchSetupException e) { Console.Error.WriteLine($"warning: torch is not usable here: {e.Message}"); }
            }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]");
            // Read again before the run overwrites it: the quick-profile twin for the fingerprint starts from the same source.
            var twin = inplace && IsFullProfile(values) ? QuickTwin(file) : null;
            var options = new NotebookRunOptions(Path.GetDirectoryName(Path.GetFullPath(file))!,
                timeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null, continueOnError, backend, notebookName: name);
            // The run record (metadata.peftkit.run) is of the code as it runs; an earlier record goes, and a new one is
            // written only when every cell succeeded, so `kit verify` never vouches for outputs this code did not make.
            var record = NotebookProvenance.Of(notebook, backend == TorchBackend.Cuda ? "cuda" : "cpu", KitVersion);
            NotebookProvenance.RemoveFrom(notebook);
            var result = await NotebookExecutor.RunAsync(notebook, options, new ConsoleProgress(), cancel);
            if (result.Status == NotebookStatus.Succeeded)
                record.WriteTo(result.Notebook);
            var target = inplace ? file : Path.Combine(outputDir ?? Path.GetDirectoryName(Path.GetFullPath(file))!,
                outputDir is null ? Path.GetFileNameWithoutExtension(file) + ".out.ipynb" : name);
            var saved = Save(result.Notebook, target, html, name);
            if (result.FirstError is { } error)
                Console.Error.WriteLine($"error: {name}: {error}");
            bool recorded = twin is null || result.Status != NotebookStatus.Succeeded || !saved
                || await RecordFingerprintAsync(twin, file, name, record.CodeSha256, options, cancel);
            rows.Add(new Row(name, $"{result.CellsRun}/{result.CodeCells}", result.Elapsed,
                result.Status switch
                {
                    NotebookStatus.Succeeded when !saved => "not saved",
                    NotebookStatus.Succeeded when !recorded => "no fingerprint",
                    NotebookStatus.Succeeded => "ok",
                    NotebookStatus.TimedOut => "timed out",
                    _ => "failed",
                },
                result.Status == NotebookStatus.Succeeded && saved && recorded));
        }
        var table = new Table().AddColumns("notebook", "cells", "wall time", "status");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Name), r.Cells, $"{r.Elapsed.TotalSeconds:F2} s", r.Ok ? "[green]ok[/]" : $"[red]{Markup.Escape(r.Status)}[/]");
        AnsiConsole.Write(table);
        if (rows.Any(r => r.Status == "timed out"))
        {
            // A timed-out cell may still be running on a thread nobody can stop; a foreground thread it started would keep
            // the process alive after Main returns, so end the process here (outputs are already written).
            Console.Error.WriteLine("error: a cell timed out; its notebook was abandoned at that cell (exit code 3).");
            Console.Out.Flush();
            Console.Error.Flush();
            Environment.Exit(ExitCode.TimedOut);
        }
        return rows.Count > 0 && rows.All(r => r.Ok) ? ExitCode.Ok : ExitCode.Failed;
    }

    /// <summary>PeftKit's version (its assembly's informational version without the +commit suffix), for the run record.</summary>
    internal static string KitVersion { get; } =
        (typeof(KitTorch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(KitTorch).Assembly.GetName().Version?.ToString() ?? "unknown").Split('+')[0];

    /// <summary>The run is at the full profile when -p gives no profile (the notebooks' default) or "full", and nothing else.</summary>
    static bool IsFullProfile(Dictionary<string, string> values) =>
        values.Count == 0 || (values.Count == 1 && values.TryGetValue("profile", out var p) && p == "full");

    /// <summary>The notebook as read, set to the quick profile; null when it has no 'profile' parameter (no fingerprint then).</summary>
    static Notebook? QuickTwin(string file)
    {
        var twin = NotebookReader.ReadFile(file);
        try
        {
            ParameterInjector.Inject(twin, new Dictionary<string, string> { ["profile"] = "quick" });
            return twin;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs the quick twin and writes its fingerprint beside the notebook, with the full run's code hash in its header;
    /// false (with the reason) when either fails.
    /// </summary>
    static async Task<bool> RecordFingerprintAsync(Notebook twin, string file, string name, string codeSha256, NotebookRunOptions options,
        CancellationToken cancel)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/] [grey]at the quick profile, for its fingerprint[/]");
        var quick = await NotebookExecutor.RunAsync(twin, options, new ConsoleProgress(), cancel);
        if (quick.Status != NotebookStatus.Succeeded)
        {
            Console.Error.WriteLine($"error: {name}: the quick-profile run for its fingerprint failed ({quick.FirstError}); the full-profile " +
                                    "outputs were written, the fingerprint was not: fix the quick profile and run again.");
            return false;
        }
        var path = NotebookFingerprint.PathFor(file);
        var fingerprint = NotebookFingerprint.Of(quick.Notebook);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, fingerprint.ToText(name, $"kit run {name} --inplace (at the full profile)", codeSha256));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {name}: could not write its fingerprint {path}: {e.Message}");
            return false;
        }
        Console.WriteLine($"fingerprint: {path} ({fingerprint.Lines.Count} lines, quick profile)");
        return true;
    }

    /// <summary>
    /// Reads every notebook and gives it its parameters before any runs, so a bad -p stops the whole run up front.
    /// Unreadable notebooks become failed rows (the others still run); parameter errors are bad arguments.
    /// </summary>
    static (List<(string File, Notebook Notebook)> Ready, List<Row> Unreadable, List<string> ParameterErrors) ReadAll(
        List<string> files, Dictionary<string, string> values)
    {
        var ready = new List<(string, Notebook)>();
        var unreadable = new List<Row>();
        var parameterErrors = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            try
            {
                var notebook = NotebookReader.ReadFile(file);
                ParameterInjector.Inject(notebook, values);
                ready.Add((file, notebook));
            }
            catch (Exception e) when (e is NotebookFormatException or FileNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                unreadable.Add(new Row(name, "-", TimeSpan.Zero, "unreadable", false));
            }
            catch (ArgumentException e)
            {
                parameterErrors.Add($"{name}: {e.Message}");
            }
        }
        return (ready, unreadable, parameterErrors);
    }

    /// <summary>Writes the executed notebook (and its page); what ran is never lost: a failed write leaves a rescue copy.</summary>
    static bool Save(Notebook executed, string target, bool html, string name)
    {
        try
        {
            if (NotebookWriter.WriteFileOrRescue(executed, target) is { } rescued)
            {
                Console.Error.WriteLine($"error: {name}: could not write {target}: {rescued.Reason}");
                Console.Error.WriteLine($"error: {name}: the executed notebook was saved to {rescued.Path} instead.");
                return false;
            }
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {name}: {e.Message}");
            return false;
        }
        if (!html)
            return true;
        var page = Path.ChangeExtension(target, ".html");
        try
        {
            AtomicFile.WriteAllText(page, HtmlPage.Export(executed, name));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {name}: the notebook was written to {target}, but not its page {page}: {e.Message}");
            return false;
        }
    }

    /// <summary>Files as given, *.ipynb in folders, and simple globs (* and ? in the file name; hand-written, no globbing package pinned).</summary>
    internal static (List<string> Files, List<string> Missing) Expand(string[] inputs)
    {
        var files = new List<string>();
        var missing = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.GetFiles(input, "*.ipynb").Where(f => !f.EndsWith(".out.ipynb", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                var regex = new Regex("^" + Regex.Escape(Path.GetFileName(input)).Replace("\\*", ".*").Replace("\\?", ".") + "$");
                var matches = Directory.Exists(dir) ? Directory.GetFiles(dir).Where(f => regex.IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList() : [];
                if (matches.Count == 0)
                    missing.Add($"{input}: no notebook matches this pattern.");
                files.AddRange(matches);
            }
            else if (File.Exists(input))
                files.Add(input);
            else
                missing.Add($"{input}: notebook not found.");
        }
        return (files, missing);
    }

    sealed class ConsoleProgress : INotebookProgress
    {
        public void CellStarting(int cellNumber, int cellCount, NotebookCell cell) { }

        public void CellFinished(int cellNumber, int cellCount, NotebookCell cell, CellStatus status, TimeSpan elapsed)
        {
            if (cell.Type != CellType.Code)
                return;
            var mark = status switch { CellStatus.Succeeded => "[green]ok[/]", CellStatus.Skipped => "[grey]skipped[/]", CellStatus.TimedOut => "[red]timed out[/]", _ => "[red]failed[/]" };
            AnsiConsole.MarkupLine($"  cell {cellNumber}/{cellCount} {mark} [grey]{elapsed.TotalMilliseconds:F0} ms[/]");
        }
    }
}
