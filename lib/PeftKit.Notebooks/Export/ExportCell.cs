using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PeftKit.Notebooks.Export;

/// <summary>One code cell on its way into a file-based app: its C# (directives removed, #load inlined) and the edits
/// <see cref="ExportRenamer"/> decided.</summary>
internal sealed class ExportCell
{
    public ExportCell(int number, string code, bool time)
    {
        Number = number;
        Code = code;
        Time = time;
    }

    /// <summary>1-based cell number in the notebook.</summary>
    public int Number { get; }

    public string Code { get; }

    /// <summary>The cell had <c>#!time</c>.</summary>
    public bool Time { get; }

    public SyntaxTree? Tree { get; set; }

    public SemanticModel? Model { get; set; }

    /// <summary>Replacements (a zero-length span inserts) in <see cref="Code"/>.</summary>
    public List<(TextSpan Span, string Text)> Edits { get; } = new();

    /// <summary>Types redeclared here that an earlier cell declared already: emitted in namespace NotebookCellN.</summary>
    public HashSet<ISymbol> NamespacedTypes { get; } = new(SymbolEqualityComparer.Default);

    /// <summary><see cref="Code"/>[span] with the edits inside it applied.</summary>
    public string Slice(TextSpan span)
    {
        var text = Code.Substring(span.Start, span.Length);
        foreach (var (edit, replacement) in Edits.Where(e => span.Contains(e.Span) && (e.Span.Length > 0 || e.Span.Start < span.End))
                     .OrderByDescending(e => e.Span.Start).ThenByDescending(e => e.Span.Length))
            text = text.Remove(edit.Start - span.Start, edit.Length).Insert(edit.Start - span.Start, replacement);
        return text;
    }
}
