using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Parameters;

/// <summary>
/// Papermill's convention for C#: values given as <c>-p name=value</c> become a cell tagged <c>injected-parameters</c>
/// right after the cell tagged <c>parameters</c>, each typed like its assignment there (int, long, double, float, bool, string).
/// </summary>
public static class ParameterInjector
{
    /// <summary>The tag of the cell that declares the parameters.</summary>
    public const string ParametersTag = "parameters";

    /// <summary>The tag of the generated cell.</summary>
    public const string InjectedTag = "injected-parameters";

    /// <summary>Inserts (or replaces) the injected-parameters cell.</summary>
    /// <exception cref="ArgumentException">No parameters cell, an unknown name, or a value that does not parse as the declared type.</exception>
    public static void Inject(Notebook notebook, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0)
            return;
        int index = notebook.Cells.FindIndex(c => c.Type == CellType.Code && c.Tags.Contains(ParametersTag));
        if (index < 0)
            throw new ArgumentException("The notebook has no cell tagged \"parameters\", so -p values cannot be injected. Tag the cell that assigns the defaults.");
        var declared = Declarations(notebook.Cells[index].Source);
        var lines = new List<string> { "// Injected parameters" };
        foreach (var (name, raw) in values)
        {
            if (!declared.TryGetValue(name, out var type))
                throw new ArgumentException($"Parameter '{name}' is not assigned in the parameters cell (it assigns: {string.Join(", ", declared.Keys)}).");
            lines.Add($"{type.Declared} {name} = {Literal(name, raw, type.Kind)};");
        }
        if (index + 1 < notebook.Cells.Count && notebook.Cells[index + 1].Tags.Contains(InjectedTag))
            notebook.Cells.RemoveAt(index + 1);
        var metadata = (JsonObject)notebook.Cells[index].Metadata.DeepClone();
        metadata.Remove("execution");
        metadata["tags"] = new JsonArray(InjectedTag);
        notebook.Cells.Insert(index + 1, new NotebookCell { Type = CellType.Code, Source = string.Join("\n", lines), Metadata = metadata });
    }

    /// <summary>
    /// What a parameters or injected-parameters cell assigns, name → value: a string literal's text, a number as
    /// invariant text ("50", "0.25"), true/false; any other expression as written.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Assignments(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script)).GetRoot();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in root.DescendantNodes().OfType<VariableDeclaratorSyntax>())
        {
            if (v.Initializer?.Value is { } value)
                result[v.Identifier.Text] = ValueText(value);
        }
        return result;
    }

    static string ValueText(ExpressionSyntax value) => value switch
    {
        LiteralExpressionSyntax { Token.Value: string s } => s,
        LiteralExpressionSyntax { Token.Value: bool b } => b ? "true" : "false",
        LiteralExpressionSyntax { Token.Value: IFormattable f } => f.ToString(null, CultureInfo.InvariantCulture),
        PrefixUnaryExpressionSyntax { OperatorToken.Text: "-", Operand: LiteralExpressionSyntax { Token.Value: IFormattable } o } => "-" + ValueText(o),
        _ => value.ToString(),
    };

    static Dictionary<string, (string Declared, string Kind)> Declarations(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script)).GetRoot();
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var declaration in root.DescendantNodes().OfType<VariableDeclarationSyntax>())
        {
            foreach (var v in declaration.Variables)
            {
                var declared = declaration.Type.ToString();
                var kind = declared == "var" ? KindOf(v.Initializer?.Value) : declared switch
                {
                    "int" or "Int32" => "int",
                    "long" or "Int64" => "long",
                    "double" or "Double" => "double",
                    "float" or "Single" => "float",
                    "bool" or "Boolean" => "bool",
                    "string" or "String" or "string?" => "string",
                    _ => "",
                };
                if (kind.Length > 0)
                    result[v.Identifier.Text] = (declared, kind);
            }
        }
        return result;
    }

    static string KindOf(ExpressionSyntax? value) => value switch
    {
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.StringLiteralExpression) => "string",
        LiteralExpressionSyntax l when l.IsKind(SyntaxKind.TrueLiteralExpression) || l.IsKind(SyntaxKind.FalseLiteralExpression) => "bool",
        LiteralExpressionSyntax { Token.Value: int } => "int",
        LiteralExpressionSyntax { Token.Value: long } => "long",
        LiteralExpressionSyntax { Token.Value: double } => "double",
        LiteralExpressionSyntax { Token.Value: float } => "float",
        PrefixUnaryExpressionSyntax { Operand: var o } => KindOf(o),
        _ => "",
    };

    static string Literal(string name, string raw, string kind)
    {
        var inv = CultureInfo.InvariantCulture;
        string Fail() => throw new ArgumentException($"Parameter '{name}': \"{raw}\" is not a valid {kind}.");
        return kind switch
        {
            "string" => SymbolDisplay.FormatLiteral(raw, quote: true),
            "bool" => bool.TryParse(raw, out var b) ? (b ? "true" : "false") : Fail(),
            "int" => int.TryParse(raw, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : Fail(),
            "long" => long.TryParse(raw, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : Fail(),
            "double" => double.TryParse(raw, NumberStyles.Float, inv, out var d) ? d.ToString("R", inv) + "d" : Fail(),
            _ => float.TryParse(raw, NumberStyles.Float, inv, out var f) ? f.ToString("R", inv) + "f" : Fail(),
        };
    }
}
