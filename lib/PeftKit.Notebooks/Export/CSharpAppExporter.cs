using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftKit.Notebooks.Directives;
using PeftKit.Notebooks.Language;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Exports a notebook as a .NET 10 file-based app (<c>dotnet run nb.cs</c>): <c>#r "nuget: X, V"</c> → <c>#:package X@V</c>,
/// <c>#r</c> of a DLL built from a project → <c>#:project</c>, markdown → comments, usings first, statements in cell
/// order, type declarations at the end (C# requires top-level statements first), trailing expressions and display
/// calls mapped to a small console prelude (text to stdout, HTML to files beside the app).
/// Limit: a variable redeclared in a later cell is legal in a notebook but not in one file; rename it before export.
/// </summary>
public static class CSharpAppExporter
{
    /// <summary>The file-based app text. <paramref name="notebookDir"/> resolves relative #r paths; <paramref name="outputDir"/> makes #:project paths relative.</summary>
    public static string Export(Notebook notebook, string notebookDir, string outputDir)
    {
        var header = new List<string>();
        var usings = new List<string>();
        var body = new StringBuilder();
        var types = new StringBuilder();
        var parse = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (cell.Type != CellType.Code)
            {
                body.AppendLine();
                foreach (var line in cell.Source.Split('\n'))
                    body.AppendLine(("// " + line).TrimEnd());
                continue;
            }
            var plan = DirectiveParser.Parse(cell.Source, CellLanguage.Of(cell, notebook), i + 1);
            foreach (var p in plan.Packages)
                header.Add($"#:package {p.Id}@{p.Version ?? "*"}");
            foreach (var dll in plan.AssemblyPaths)
                header.Add(ProjectFor(Path.GetFullPath(Path.Combine(notebookDir, dll))) is { } project
                    ? $"#:project {Path.GetRelativePath(outputDir, project)}"
                    : $"// #r \"{dll}\" has no project to reference; add it as a package or project.");
            var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(plan.Code, parse).GetRoot();
            usings.AddRange(root.Usings.Select(u => u.ToString().Trim()));
            body.AppendLine().AppendLine($"// ---- cell {i + 1} ----");
            var members = root.Members;
            for (int m = 0; m < members.Count; m++)
            {
                var member = members[m];
                if (member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
                    types.AppendLine(member.ToFullString().Trim()).AppendLine();
                else if (m == members.Count - 1 && member is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } e })
                    body.AppendLine($"NotebookPrelude.Trailing({e.Expression.ToString().Trim()});");
                else
                    body.AppendLine(member.ToFullString().TrimEnd());
            }
        }
        var sb = new StringBuilder();
        foreach (var h in header.Distinct())
            sb.AppendLine(h);
        sb.AppendLine("// Exported from a Polyglot notebook by `kit export --to cs`. Run with: dotnet run <this file>");
        foreach (var u in usings.Append("using static NotebookPrelude;").Distinct())
            sb.AppendLine(u);
        sb.Append(body).AppendLine().Append(types).AppendLine(Prelude);
        return sb.ToString();
    }

    /// <summary>The csproj a DLL was built from: bin/…/X.dll → the nearest folder above holding X.csproj.</summary>
    static string? ProjectFor(string dll)
    {
        var name = Path.GetFileNameWithoutExtension(dll);
        for (var dir = Path.GetDirectoryName(dll); dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, name + ".csproj")))
                return Path.Combine(dir, name + ".csproj");
        return null;
    }

    const string Prelude = """
        /// <summary>Console stand-ins for the notebook display API: text to stdout, HTML to files beside the app.</summary>
        static class NotebookPrelude
        {
            static int files;
            public sealed record Html(string Markup);
            public sealed class Handle { public void Update(object? value) => display(value); }
            public static Html HTML(string markup) => new(markup);
            public static Handle display(object? value, params string[] mimeTypes)
            {
                if (value is Html h || value?.GetType().FullName == "Plotly.NET.GenericChart")
                {
                    var path = System.IO.Path.GetFullPath($"output-{++files}.html");
                    System.IO.File.WriteAllText(path, value is Html x ? x.Markup : value.ToString());
                    System.Console.WriteLine($"(HTML written to {path})");
                }
                else
                    System.Console.WriteLine(Text(value));
                return new Handle();
            }
            public static void Trailing(object? value) => display(value);
            static string Text(object? value) => value switch
            {
                null => "<null>",
                string s => s,
                System.IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                System.Collections.IEnumerable e => "[ " + string.Join(", ", e.Cast<object?>().Select(Text)) + " ]",
                _ => value.ToString() ?? "",
            };
        }
        """;
}
