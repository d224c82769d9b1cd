using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using PeftKit.Notebooks.Display;
using PeftKit.Notebooks.Execution;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Makes a notebook's cells legal as one program. A notebook's top-level variables and methods are fields and methods
/// of per-cell script classes, so a later cell may redeclare them and nested locals may shadow them; in a file-based
/// app they are locals and local functions of one <c>Main</c>, where both are errors (CS0128, CS0136). The cells are
/// compiled as the script chain the kernel runs (Roslyn's semantic model decides what each name means), then:
/// <list type="bullet">
/// <item>a top-level variable or method whose name an earlier cell already declared at top level is renamed
/// <c>name_N</c> (N = its cell), with every use that binds to it;</item>
/// <item>when a nested local/parameter/range variable of top-level code has the name of a top-level variable or
/// method, every top-level declaration of that name is renamed;</item>
/// <item>a type declared again in a later cell keeps its name but moves into namespace <c>NotebookCellN</c>, and the
/// uses that bind to it are qualified (so records still print their own name).</item>
/// </list>
/// Anonymous-type members and tuple elements named after a renamed variable keep their original name.
/// </summary>
internal static class ExportRenamer
{
    public static readonly CSharpParseOptions ScriptParse = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    static readonly string[] DefaultImports =
    [
        "System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq",
        "Microsoft.DotNet.Interactive.Formatting",
    ];

    /// <summary>The kernel's default imports as using directives (the exported app starts with the same ones).</summary>
    public static IEnumerable<string> DefaultUsings => DefaultImports.Select(n => $"using {n};");

    /// <summary>Fills each cell's <see cref="ExportCell.Tree"/>, <see cref="ExportCell.Model"/>, edits and namespaced types.</summary>
    public static void Analyze(IReadOnlyList<ExportCell> cells, IEnumerable<string> referencePaths)
    {
        var references = ReferenceRegistry.PlatformReferences
            .Append(MetadataReference.CreateFromFile(typeof(ScriptGlobals).Assembly.Location))
            .Concat(referencePaths.Where(File.Exists).Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)))
            .ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: DefaultImports, allowUnsafe: true,
            nullableContextOptions: NullableContextOptions.Disable);
        CSharpCompilation? previous = null;
        var values = new List<(ISymbol Symbol, ExportCell Cell)>();
        var types = new List<(INamedTypeSymbol Symbol, ExportCell Cell)>();
        var nested = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            cell.Tree = CSharpSyntaxTree.ParseText(cell.Code, ScriptParse, path: $"cell{cell.Number}.csx");
            // Chained through WithScriptCompilationInfo: CreateScriptCompilation refuses a previous submission with
            // errors, and without the packages' assemblies (not restored for an export) most cells have some.
            var compilation = CSharpCompilation.CreateScriptCompilation($"cell{cell.Number}", cell.Tree, references, options, null, typeof(object), typeof(ScriptGlobals));
            if (previous is not null)
                compilation = compilation.WithScriptCompilationInfo(compilation.ScriptCompilationInfo!.WithPreviousScriptCompilation(previous));
            previous = compilation;
            cell.Model = compilation.GetSemanticModel(cell.Tree);
            var root = cell.Tree.GetRoot();
            foreach (var token in root.DescendantTokens())
                if (token.IsKind(SyntaxKind.IdentifierToken))
                    names.Add(token.ValueText);
            foreach (var node in root.DescendantNodes())
            {
                if (!Declares(node) || cell.Model.GetDeclaredSymbol(node) is not { } symbol)
                    continue;
                if (symbol.ContainingType is { IsScriptClass: true } && symbol is IFieldSymbol or IPropertySymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary })
                    values.Add((symbol, cell));
                else if (symbol is INamedTypeSymbol { ContainingType.IsScriptClass: true } type)
                    types.Add((type, cell));
                else if (symbol is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol or IMethodSymbol { MethodKind: MethodKind.LocalFunction } && InTopLevelCode(node))
                    nested.Add(symbol.Name);
            }
        }

        var renamed = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        foreach (var group in values.GroupBy(v => v.Symbol.Name, StringComparer.Ordinal))
        {
            var list = group.ToList();
            bool shadowed = nested.Contains(group.Key);
            for (int k = 0; k < list.Count; k++)
            {
                if (k == 0 && !shadowed)
                    continue;
                var name = $"{group.Key}_{list[k].Cell.Number}";
                for (int n = 2; names.Contains(name); n++)
                    name = $"{group.Key}_{list[k].Cell.Number}_{n}";
                names.Add(name);
                renamed[list[k].Symbol] = name;
            }
        }
        var namespaced = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        foreach (var group in types.GroupBy(t => (t.Symbol.Name, t.Symbol.Arity)))
            foreach (var (symbol, cell) in group.Skip(1))
            {
                namespaced[symbol] = $"NotebookCell{cell.Number}";
                cell.NamespacedTypes.Add(symbol);
            }

        foreach (var cell in cells)
        {
            var tree = cell.Tree!;
            foreach (var (symbol, name) in renamed)
                foreach (var location in symbol.Locations.Where(l => l.SourceTree == tree))
                    cell.Edits.Add((location.SourceSpan, name));
            foreach (var node in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = cell.Model!.GetSymbolInfo(node);
                if (Normalize(info.Symbol ?? (info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] : null)) is not { } symbol)
                    continue;
                if (renamed.TryGetValue(symbol, out var name) && node is IdentifierNameSyntax identifier)
                    cell.Edits.Add((identifier.Identifier.Span, ImplicitName(identifier) is { } keep ? $"{keep}{name}" : name));
                else if (namespaced.TryGetValue(symbol, out var ns) && !IsQualifiedRight(node))
                    cell.Edits.Add((new TextSpan(node.SpanStart, 0), $"global::{ns}."));
            }
        }
    }

    static bool Declares(SyntaxNode node) => node is VariableDeclaratorSyntax or SingleVariableDesignationSyntax or ForEachStatementSyntax
        or CatchDeclarationSyntax or LocalFunctionStatementSyntax or MethodDeclarationSyntax or PropertyDeclarationSyntax
        or BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or ParameterSyntax or FromClauseSyntax or LetClauseSyntax
        or JoinClauseSyntax or JoinIntoClauseSyntax or QueryContinuationSyntax;

    /// <summary>True when a declaration sits in top-level statements outside any lambda or local function (there it cannot shadow an outer local).</summary>
    static bool InTopLevelCode(SyntaxNode node)
    {
        for (var n = node.Parent; n is not null; n = n.Parent)
        {
            switch (n)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax
                    or BasePropertyDeclarationSyntax or BaseTypeDeclarationSyntax:
                    return false;
                case GlobalStatementSyntax or FieldDeclarationSyntax:
                    return true;
            }
        }
        return false;
    }

    static ISymbol? Normalize(ISymbol? symbol) => symbol switch
    {
        null => null,
        IMethodSymbol { MethodKind: MethodKind.Constructor } c => c.ContainingType.OriginalDefinition,
        IMethodSymbol m => (m.ReducedFrom ?? m).OriginalDefinition,
        _ => symbol.OriginalDefinition,
    };

    /// <summary><c>new { x }</c> and <c>(x, y)</c> take their member names from the variable: keep them (<c>x = </c>, <c>x: </c>).</summary>
    static string? ImplicitName(IdentifierNameSyntax node) => node.Parent switch
    {
        AnonymousObjectMemberDeclaratorSyntax { NameEquals: null } => node.Identifier.ValueText + " = ",
        ArgumentSyntax { NameColon: null, Parent: TupleExpressionSyntax } => node.Identifier.ValueText + ": ",
        _ => null,
    };

    static bool IsQualifiedRight(SimpleNameSyntax node) =>
        node.Parent is QualifiedNameSyntax q && q.Right == node || node.Parent is MemberAccessExpressionSyntax m && m.Name == node
        || node.Parent is AliasQualifiedNameSyntax;
}
