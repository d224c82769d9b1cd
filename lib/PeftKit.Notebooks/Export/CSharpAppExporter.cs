using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftKit.Notebooks.Directives;
using PeftKit.Notebooks.Language;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Exports a notebook as a .NET 10 file-based app (<c>dotnet run nb.cs</c>), Microsoft's migration path for Polyglot
/// notebooks:
/// <list type="bullet">
/// <item><c>#r "nuget: X, V"</c> → <c>#:package X@V</c> (no version → <c>@*</c>, the latest stable, as in the
/// notebook); <c>#r</c> of a DLL built from a project → <c>#:project</c>; <c>#i "nuget: source"</c> → the
/// RestoreAdditionalProjectSources property; <c>#load "f.csx"</c> → the file's code inlined.</item>
/// <item>Properties that give the notebook's language rules: the kernel's imports instead of implicit usings,
/// nullable off, unsafe allowed, warnings not errors, no native AOT, no central package management (a repo's
/// Directory.Packages.props would otherwise reject <c>#:package X@V</c>).</item>
/// <item>Markdown → comments; usings first; cells' statements in order; type declarations at the end (C# requires
/// top-level statements first); names a later cell redeclares are renamed or namespaced (<see cref="ExportRenamer"/>).</item>
/// <item>Trailing expressions, <c>display</c>, <c>.Display()</c>, <c>.DisplayTable()</c>, <c>HTML</c> and
/// <c>Formatter</c> map to a small prelude at the end of the file: text (formatted like the kernel's text/plain) to
/// stdout; HTML and Plotly charts to files beside the app; <c>#!time</c> prints the wall time.</item>
/// <item>The app first changes its current directory to the notebook's folder (relative file I/O works as in the
/// notebook).</item>
/// </list>
/// Cells for other kernels and unsupported magics are kept as comments with the reason.
/// </summary>
public static partial class CSharpAppExporter
{
    [GeneratedRegex("""^\s*#load\s+"(?<path>[^"]+)"\s*(//.*)?$""")]
    private static partial Regex LoadDirective();

    /// <summary>
    /// Restores the notebook's <c>#r "nuget: …"</c> packages (the kernel's cached restore, so usually instant after a
    /// <c>kit run</c>) and returns their assemblies for <see cref="Export"/>; null when a restore fails.
    /// </summary>
    public static async Task<IReadOnlyList<string>?> TryRestoreReferencesAsync(Notebook notebook, string notebookDir, CancellationToken cancel = default)
    {
        var packages = new List<PackageReference>();
        var sources = new List<string>();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            if (notebook.Cells[i].Type != CellType.Code)
                continue;
            var plan = DirectiveParser.Parse(notebook.Cells[i].Source, CellLanguage.Of(notebook.Cells[i], notebook), i + 1);
            packages.AddRange(plan.Packages.Where(p => !packages.Any(q => string.Equals(q.Id, p.Id, StringComparison.OrdinalIgnoreCase))));
            sources.AddRange(plan.PackageSources.Select(s => Directory.Exists(Path.Combine(notebookDir, s)) ? Path.GetFullPath(Path.Combine(notebookDir, s)) : s));
        }
        if (packages.Count == 0)
            return [];
        try
        {
            return (await new Packages.PackageRestorer().RestoreAsync(packages, sources, cancel)).Assemblies.ToList();
        }
        catch (Packages.NotebookPackageException)
        {
            return null;
        }
    }

    /// <summary>The file-based app text.</summary>
    /// <param name="notebook">The notebook (outputs are ignored).</param>
    /// <param name="notebookDir">The notebook's folder: resolves relative <c>#r</c>, <c>#i</c> and <c>#load</c> paths.</param>
    /// <param name="outputDir">The folder the .cs file goes to: <c>#:project</c> and the working directory are made relative to it.</param>
    /// <param name="referencePaths">Assemblies of the notebook's packages, when known (e.g. restored): they let the
    /// export tell void from valued trailing expressions exactly. Without them an unknown type is displayed through a lambda.</param>
    public static string Export(Notebook notebook, string notebookDir, string outputDir, IReadOnlyList<string>? referencePaths = null)
    {
        notebookDir = Path.GetFullPath(notebookDir);
        outputDir = Path.GetFullPath(outputDir);
        var header = new List<string>
        {
            "#:property ImplicitUsings=disable",
            "#:property Nullable=disable",
            "#:property AllowUnsafeBlocks=true",
            "#:property TreatWarningsAsErrors=false",
            "#:property ManagePackageVersionsCentrally=false",
            "#:property PublishAot=false", // file-based apps default to AOT, whose trim analysis warns on the prelude's reflection
            "#:property NoWarn=CS0105;CS0162;CS0168;CS0219;CS1998;CS8321",
        };
        var packages = new List<string>();
        var sources = new List<string>();
        var references = new List<string>(referencePaths ?? []);
        var cells = new List<ExportCell>();
        var comments = new Dictionary<int, string>(); // cell number → the comment block before its code
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            var number = i + 1;
            if (cell.Type != CellType.Code)
            {
                comments[number] = Comment(cell.Source);
                continue;
            }
            var plan = DirectiveParser.Parse(cell.Source, CellLanguage.Of(cell, notebook), number);
            if (plan.Errors.Count > 0)
            {
                comments[number] = $"// ---- cell {number}: not exported ({string.Join(" ", plan.Errors)}) ----\n" + Comment(cell.Source);
                continue;
            }
            var code = Inline(plan, notebookDir, number, [], out var loadNotes);
            foreach (var p in plan.Packages)
                if (!packages.Any(x => x.StartsWith($"#:package {p.Id}@", StringComparison.OrdinalIgnoreCase)))
                    packages.Add($"#:package {p.Id}@{p.Version ?? "*"}");
            foreach (var s in plan.PackageSources)
            {
                var folder = Path.Combine(notebookDir, s);
                sources.Add(Directory.Exists(folder) ? Path.GetFullPath(folder) : s);
            }
            var notes = new StringBuilder($"// ---- cell {number} ----\n");
            foreach (var dll in plan.AssemblyPaths)
            {
                var full = Path.GetFullPath(Path.Combine(notebookDir, dll));
                references.Add(full);
                if (ProjectFor(full) is { } project)
                    packages.Add($"#:project {Path.GetRelativePath(outputDir, project).Replace('\\', '/')}");
                else
                    notes.AppendLine($"// kit export: #r \"{dll}\" was built by no project found above it; add it as a #:package or #:project.");
            }
            foreach (var note in loadNotes)
                notes.AppendLine(note);
            comments[number] = (comments.TryGetValue(number, out var before) ? before : "") + notes;
            cells.Add(new ExportCell(number, code, plan.Time));
        }
        if (sources.Count > 0)
            header.Add($"#:property RestoreAdditionalProjectSources={string.Join(";", sources.Distinct(StringComparer.Ordinal))}");

        ExportRenamer.Analyze(cells, references);

        var usings = new List<string> { "using static NotebookPrelude;" };
        var body = new StringBuilder();
        var types = new StringBuilder();
        var workingDir = Path.GetRelativePath(outputDir, notebookDir).Replace('\\', '/');
        body.AppendLine($"NotebookPrelude.Start(\"{workingDir}\"); // the notebook ran in its own folder: relative paths resolve there");
        var byNumber = cells.ToDictionary(c => c.Number);
        for (int number = 1; number <= notebook.Cells.Count; number++)
        {
            if (comments.TryGetValue(number, out var comment))
                body.AppendLine().Append(comment);
            if (byNumber.TryGetValue(number, out var cell))
                Emit(cell, usings, body, types);
        }

        var sb = new StringBuilder();
        foreach (var line in header.Concat(packages.Distinct(StringComparer.Ordinal)))
            sb.AppendLine(line);
        sb.AppendLine();
        sb.AppendLine("// Exported from a Polyglot notebook by `kit export --to cs`. Run it with: dotnet run <this file>");
        sb.AppendLine("// (the notebook's kernel imports, then the notebook's own usings)");
        foreach (var u in ExportRenamer.DefaultUsings.Concat(usings).Distinct(StringComparer.Ordinal))
            sb.AppendLine(u);
        sb.Append(body);
        if (types.Length > 0)
            sb.AppendLine().AppendLine("// ---- types declared in the notebook (C# puts them after the top-level statements) ----").Append(types);
        sb.AppendLine().Append(CSharpAppPrelude.Text);
        return sb.ToString();
    }

    static void Emit(ExportCell cell, List<string> usings, StringBuilder body, StringBuilder types)
    {
        var root = (CompilationUnitSyntax)cell.Tree!.GetRoot();
        usings.AddRange(root.Usings.Select(u => cell.Slice(u.Span).Trim()));
        if (cell.Time)
            body.AppendLine($"var __time{cell.Number} = System.Diagnostics.Stopwatch.StartNew();");
        var members = root.Members;
        for (int m = 0; m < members.Count; m++)
        {
            var member = members[m];
            var leading = LeadingComments(cell, member);
            switch (member)
            {
                case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                    var symbol = cell.Model!.GetDeclaredSymbol(member);
                    var text = leading + cell.Slice(member.Span);
                    if (symbol is not null && cell.NamespacedTypes.Contains(symbol))
                        types.AppendLine($"namespace NotebookCell{cell.Number} // declared again in cell {cell.Number}: this one is used from that cell on")
                            .AppendLine("{").AppendLine(Indent(text)).AppendLine("}").AppendLine();
                    else
                        types.AppendLine($"// (cell {cell.Number})").AppendLine(text).AppendLine();
                    break;
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } e } when m == members.Count - 1:
                    body.Append(leading).AppendLine(Trailing(cell, e.Expression));
                    break;
                case FieldDeclarationSyntax field: // a script's top-level variable: a local of the program
                    var isConst = field.Modifiers.Any(SyntaxKind.ConstKeyword);
                    body.Append(leading).AppendLine((isConst ? "const " : "") + cell.Slice(field.Declaration.Span) + ";");
                    break;
                case MethodDeclarationSyntax method: // a script's top-level method: a local function of the program
                    var kept = method.Modifiers.Where(t => t.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.AsyncKeyword or SyntaxKind.UnsafeKeyword or SyntaxKind.ExternKeyword);
                    body.Append(leading).AppendLine(string.Concat(kept.Select(t => t.Text + " ")) + cell.Slice(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(method.ReturnType.SpanStart, method.Span.End)));
                    break;
                case GlobalStatementSyntax:
                    body.Append(leading).AppendLine(cell.Slice(member.Span));
                    break;
                default:
                    body.Append(leading).AppendLine($"// kit export: a top-level {member.Kind()} has no equivalent in a program; rewrite it as a variable or a method:")
                        .AppendLine(Comment(cell.Slice(member.Span)));
                    break;
            }
        }
        if (cell.Time)
            body.AppendLine($"NotebookPrelude.WallTime(__time{cell.Number});");
    }

    /// <summary>The kernel shows a trailing expression's value (not a void call's); the prelude does the same on stdout.</summary>
    static string Trailing(ExportCell cell, ExpressionSyntax expression)
    {
        var text = cell.Slice(expression.Span);
        var type = cell.Model!.GetTypeInfo(expression).Type;
        if (type is { SpecialType: SpecialType.System_Void })
            return text + ";";
        if (type is not null and not IErrorTypeSymbol)
            return $"NotebookPrelude.Trailing({text});";
        // Type unknown (a package assembly was not available to the export): a lambda lets overload resolution pick
        // Func<T> for a value and Action for a void call. An await cannot go into a lambda, so it is shown directly.
        bool awaits = expression.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax).OfType<AwaitExpressionSyntax>().Any();
        return awaits ? $"NotebookPrelude.Trailing({text});" : $"NotebookPrelude.TrailingOf(() => {text});";
    }

    /// <summary>The cell's C# with <c>#load</c> lines replaced by the loaded file's code (its own directives applied to <paramref name="plan"/>).</summary>
    static string Inline(CellPlan plan, string dir, int cellNumber, HashSet<string> loading, out List<string> notes)
    {
        notes = new List<string>();
        var sb = new StringBuilder();
        foreach (var line in plan.Code.Split('\n'))
        {
            if (LoadDirective().Match(line) is not { Success: true } load)
            {
                sb.Append(line).Append('\n');
                continue;
            }
            var path = Path.GetFullPath(Path.Combine(dir, load.Groups["path"].Value));
            if (!File.Exists(path) || !loading.Add(path))
            {
                notes.Add($"// kit export: {line.Trim()} — {(File.Exists(path) ? "loaded recursively, skipped" : "file not found")}");
                sb.Append('\n');
                continue;
            }
            var inner = DirectiveParser.Parse(File.ReadAllText(path), "csharp", cellNumber);
            plan.Packages.AddRange(inner.Packages);
            plan.PackageSources.AddRange(inner.PackageSources);
            plan.AssemblyPaths.AddRange(inner.AssemblyPaths.Select(p => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, p))));
            var code = Inline(inner, Path.GetDirectoryName(path)!, cellNumber, loading, out var innerNotes);
            notes.AddRange(innerNotes);
            sb.Append($"// {line.Trim()} (inlined)\n").Append(code.TrimEnd('\n')).Append('\n');
            loading.Remove(path);
        }
        return sb.ToString().TrimEnd('\n');
    }

    static string LeadingComments(ExportCell cell, SyntaxNode member)
    {
        var trivia = member.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)
                                                          || t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)).ToList();
        return trivia.Count == 0 ? "" : string.Concat(trivia.Select(t => t.ToFullString().TrimEnd() + "\n"));
    }

    static string Comment(string text) =>
        string.Concat(text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(l => ("// " + l).TrimEnd() + "\n"));

    static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

    /// <summary>The csproj a DLL was built from: bin/…/X.dll → the nearest folder above holding X.csproj.</summary>
    static string? ProjectFor(string dll)
    {
        var name = Path.GetFileNameWithoutExtension(dll);
        for (var dir = Path.GetDirectoryName(dll); dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, name + ".csproj")))
                return Path.Combine(dir, name + ".csproj");
        return null;
    }
}
