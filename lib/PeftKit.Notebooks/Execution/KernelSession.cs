using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using PeftKit.Notebooks.Directives;
using PeftKit.Notebooks.Display;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Packages;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// One notebook's C# kernel: a Roslyn script state continued cell by cell, its references, packages and formatters.
/// Only one session is active per process at a time (the current directory and Console are process-wide).
/// </summary>
internal sealed class KernelSession
{
    static readonly string[] DefaultImports =
    [
        "System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq",
        "Microsoft.DotNet.Interactive.Formatting",
    ];

    static volatile KernelSession? active;
    static readonly AsyncLocal<KernelSession?> Current = new(); // flows into threads and tasks a cell starts

    readonly NotebookRunOptions options;
    readonly ReferenceRegistry references = new();
    readonly PackageRestorer restorer;
    readonly Dictionary<string, (PackageReference Request, int Cell)> packages = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> sources = new();
    readonly ScriptGlobals globals;
    ScriptOptions scriptOptions;
    ScriptState<object>? state;
    OutputSink? sink;
    RestoreResult? restored;

    public KernelSession(NotebookRunOptions options)
    {
        this.options = options;
        restorer = new PackageRestorer(options.PackageCacheDirectory);
        globals = new ScriptGlobals(this);
        scriptOptions = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithReferences(ReferenceRegistry.PlatformReferences)
            .AddReferences(MetadataReference.CreateFromFile(typeof(ScriptGlobals).Assembly.Location))
            .WithImports(DefaultImports)
            .WithSourceResolver(new SourceFileResolver([], options.WorkingDirectory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(options.WorkingDirectory))
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithAllowUnsafe(true);
        references.Loader.RegisterDependency(typeof(ScriptGlobals).Assembly);
    }

    /// <summary>The session of the running code: the one whose cell started this thread or task, else the active one.</summary>
    public static KernelSession? Active => Current.Value ?? active;

    public static KernelSession RequireActive() =>
        Active ?? throw new InvalidOperationException("Display calls work only while a notebook cell runs (kit run / NotebookExecutor).");

    public FormatterRegistry Formatter { get; } = new();

    public int ExecutionCount { get; private set; }

    /// <summary>
    /// Set after a timeout: .NET cannot stop a running thread, so the timed-out cell may still be running and change
    /// the script state. The session is abandoned: no later cell runs on it, and its late output is discarded.
    /// </summary>
    public bool Broken { get; private set; }

    public void Activate() => active = this;

    public void Deactivate()
    {
        if (active == this)
            active = null;
    }

    public DisplayHandle Display(object? value, string[] mimeTypes)
    {
        var output = CellOutput.Display(Formatter.Format(value, mimeTypes));
        Add(output);
        return new DisplayHandle(output, mimeTypes, this);
    }

    public DisplayHandle DisplayRaw(string value, string mimeType) => DisplayData([new(mimeType, value)]);

    public DisplayHandle DisplayData(List<KeyValuePair<string, string>> data)
    {
        var output = CellOutput.Display(data);
        Add(output);
        return new DisplayHandle(output, data.Select(d => d.Key).ToArray(), this);
    }

    void Add(CellOutput output) => sink?.Add(output); // a display after its cell ended (or timed out) has nowhere to go

    /// <summary>Runs one code cell: outputs, execution count and timing metadata are written into the cell.</summary>
    public async Task<(CellStatus Status, string? Error)> RunCellAsync(NotebookCell cell, int cellNumber, string kernel, CancellationToken cancel)
    {
        if (Broken)
            throw new InvalidOperationException("This kernel session was abandoned after a cell timed out; its state cannot be used.");
        Current.Value = this; // restored when this async method returns
        cell.Outputs.Clear();
        cell.ExecutionCount = ++ExecutionCount;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var outputs = new OutputSink(cell.Outputs);
        sink = outputs;
        (CellStatus, string?) result;
        try
        {
            using (ConsoleRouter.Capture(outputs))
                result = await RunAsync(cell, cellNumber, kernel, outputs, clock, cancel);
        }
        finally
        {
            outputs.Close();
            sink = null;
        }
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = started.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            ["shell.execute_reply"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        };
        return result;
    }

    async Task<(CellStatus, string?)> RunAsync(NotebookCell cell, int cellNumber, string kernel, OutputSink outputs, Stopwatch clock, CancellationToken cancel)
    {
        var plan = DirectiveParser.Parse(cell.Source, kernel, cellNumber);
        if (plan.Errors.Count > 0)
        {
            outputs.Add(CellOutput.Error("DirectiveError", string.Join("\n", plan.Errors), plan.Errors));
            return (CellStatus.Failed, plan.Errors[0]);
        }
        try
        {
            await AddReferencesAsync(plan, cellNumber, cancel);
        }
        catch (NotebookPackageException e)
        {
            var message = $"Cell {cellNumber}: {e.Message}";
            outputs.Add(CellOutput.Error("NuGetError", message, message.Split('\n')));
            return (CellStatus.Failed, message);
        }
        var status = (CellStatus.Succeeded, (string?)null);
        if (plan.HasCode)
            status = await ExecuteAsync(plan.Code, cellNumber, outputs, cancel);
        if (plan.Time && status.Item1 != CellStatus.TimedOut)
            outputs.Add(CellOutput.Display([new("text/plain", $"Wall time: {clock.Elapsed.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture)}ms")]));
        return status;
    }

    async Task AddReferencesAsync(CellPlan plan, int cellNumber, CancellationToken cancel)
    {
        var newRefs = new List<MetadataReference>();
        foreach (var path in plan.AssemblyPaths)
        {
            var full = Path.GetFullPath(Path.Combine(options.WorkingDirectory, path));
            if (!File.Exists(full))
                throw new NotebookPackageException($"#r \"{path}\": file not found (looked for {full}; relative paths start at the notebook's folder).");
            newRefs.AddRange(references.Add([full], strict: true));
        }
        sources.AddRange(plan.PackageSources.Select(s => Directory.Exists(Path.Combine(options.WorkingDirectory, s)) ? Path.GetFullPath(Path.Combine(options.WorkingDirectory, s)) : s));
        bool changed = false;
        foreach (var request in plan.Packages)
        {
            var p = options.Backend == TorchBackend.Cuda && request.Id.Equals("TorchSharp-cpu", StringComparison.OrdinalIgnoreCase)
                ? request with { Id = "TorchSharp-cuda-linux" } : request;
            if (packages.TryGetValue(p.Id, out var earlier))
            {
                if (p.Version is null || p.Version == earlier.Request.Version)
                    continue;
                var resolved = restored?.Versions.GetValueOrDefault(p.Id);
                if (earlier.Request.Version is not null || resolved != p.Version)
                    throw new NotebookPackageException(
                        $"#r \"nuget: {p}\" conflicts with #r \"nuget: {earlier.Request}\" in cell {earlier.Cell}" +
                        (resolved is null ? "" : $" (version {resolved} is already loaded)") +
                        ". A package can be loaded in only one version per notebook: use the same version everywhere.");
                continue;
            }
            packages[p.Id] = (p, cellNumber);
            changed = true;
        }
        if (changed || (plan.PackageSources.Count > 0 && packages.Count > 0))
        {
            restored = await restorer.RestoreAsync(packages.Values.Select(v => v.Request).ToList(), sources, cancel);
            ReferenceRegistry.AddNatives(restored.NativeLibraries);
            newRefs.AddRange(references.Add(restored.Assemblies, strict: false));
        }
        if (newRefs.Count > 0)
            scriptOptions = scriptOptions.AddReferences(newRefs);
    }

    async Task<(CellStatus, string?)> ExecuteAsync(string code, int cellNumber, OutputSink outputs, CancellationToken cancel)
    {
        var options = scriptOptions.WithFilePath($"cell{cellNumber}.csx");
        var previous = state;
        // A dedicated thread: a cell that blocks (Thread.Sleep, a long loop) must not block the timeout below.
        var run = Task.Factory.StartNew(() => previous is null
                ? CSharpScript.Create(code, options, typeof(ScriptGlobals), references.Loader).RunAsync(globals, _ => true, cancel)
                : previous.ContinueWithAsync(code, options, _ => true, cancel),
            cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        if (this.options.CellTimeout is { } timeout && await Task.WhenAny(run, Task.Delay(timeout, cancel)) != run)
        {
            Broken = true;
            _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe a late failure
            var message = TimeoutMessage(cellNumber, timeout);
            outputs.Abandon(CellOutput.Error("TimeoutError", message, [message]));
            return (CellStatus.TimedOut, message);
        }
        try
        {
            state = await run;
        }
        catch (CompilationErrorException e)
        {
            var lines = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Describe).ToList();
            outputs.Add(CellOutput.Error("CompilationError", string.Join("\n", lines), lines));
            return (CellStatus.Failed, $"Cell {cellNumber}: {lines.FirstOrDefault()}");
        }
        if (state.Exception is { } thrown)
        {
            var ex = Unwrap(thrown);
            outputs.Add(CellOutput.Error(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, Traceback(ex)));
            return (CellStatus.Failed, $"Cell {cellNumber}: {ex.GetType().FullName}: {ex.Message}");
        }
        if (TrailingExpression(state.Script) is { } expression)
        {
            var value = state.ReturnValue;
            if (value is not null || !IsVoid(state.Script, expression))
                outputs.Add(CellOutput.Result(Formatter.Format(value, null), ExecutionCount));
        }
        return (CellStatus.Succeeded, null);
    }

    /// <summary>The error text of a timed-out cell (also what <c>kit run</c> prints).</summary>
    public static string TimeoutMessage(int cellNumber, TimeSpan timeout) =>
        $"Cell {cellNumber} did not finish within the timeout of {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. " +
        ".NET cannot stop a running thread, so the cell may still be running in the background: its kernel session was abandoned, " +
        "later cells were not run (not even with --continue-on-error) and anything the cell writes from now on is discarded.";

    /// <summary><c>(line,col): error CSxxxx: message</c>, lines relative to the cell (or prefixed by the #load'ed file).</summary>
    static string Describe(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        var file = span.Path is { Length: > 0 } p && !p.StartsWith("cell", StringComparison.Ordinal) ? p : "";
        return $"{file}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
    }

    static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException { InnerException: not null } or AggregateException { InnerExceptions.Count: 1 })
            e = e.InnerException!;
        return e;
    }

    static List<string> Traceback(Exception e)
    {
        var lines = new List<string> { $"{e.GetType().FullName}: {e.Message}" };
        lines.AddRange((e.StackTrace ?? "").Split('\n').Select(l => l.TrimEnd())
            .Where(l => l.Length > 0 && !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal) && !l.Contains("--- End of stack trace", StringComparison.Ordinal)
                        && !l.Contains("System.Runtime.CompilerServices", StringComparison.Ordinal) && !l.Contains("System.Threading.Tasks", StringComparison.Ordinal)));
        if (e.InnerException is { } inner)
            lines.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        return lines;
    }

    static ExpressionSyntax? TrailingExpression(Script script)
    {
        var tree = script.GetCompilation().SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not CompilationUnitSyntax root)
            return null;
        return root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement }
            ? statement.Expression : null;
    }

    static bool IsVoid(Script script, ExpressionSyntax expression)
    {
        var compilation = script.GetCompilation();
        var type = compilation.GetSemanticModel(expression.SyntaxTree).GetTypeInfo(expression).Type;
        return type is null || type.SpecialType == SpecialType.System_Void;
    }
}
