using System.Text.Json.Nodes;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Language;

/// <summary>
/// Decides a cell's kernel the way Polyglot does (POLYGLOT.md): markdown by cell type; else
/// <c>polyglot_notebook.kernelName</c>, else <c>dotnet_interactive.language</c>, else <c>vscode.languageId</c>;
/// a first line <c>#!kernel</c> overrides; else the notebook default; else csharp.
/// </summary>
public static class CellLanguage
{
    /// <summary>Kernel names a <c>#!name</c> line may switch to (after alias normalisation).</summary>
    public static readonly IReadOnlySet<string> KnownKernels = new HashSet<string>(StringComparer.Ordinal)
    {
        "csharp", "fsharp", "pwsh", "markdown", "javascript", "html", "sql", "kql", "mermaid", "http", "python", "r", "value",
    };

    /// <summary>Normalises a kernel/language name: c#/C#/csharp → csharp, f# → fsharp, powershell → pwsh, md → markdown.</summary>
    public static string Normalize(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n.StartsWith("dotnet-interactive.", StringComparison.Ordinal))
            n = n["dotnet-interactive.".Length..];
        return n switch
        {
            "c#" or "cs" or "csharp" or ".net-csharp" => "csharp",
            "f#" or "fs" or "fsharp" or ".net-fsharp" => "fsharp",
            "powershell" or "pwsh" or ".net-pwsh" => "pwsh",
            "md" or "markdown" => "markdown",
            "js" or "javascript" => "javascript",
            _ => n,
        };
    }

    /// <summary>The notebook's default kernel (polyglot_notebook.kernelInfo, kernelspec, language_info), csharp if none.</summary>
    public static string NotebookDefault(Notebook notebook)
    {
        var md = notebook.Metadata;
        if (Text(At(md, "polyglot_notebook", "kernelInfo", "defaultKernelName")) is { } k)
            return Normalize(k);
        if (Text(At(md, "kernelspec", "language")) is { } lang)
            return Normalize(lang);
        if (Text(At(md, "language_info", "name")) is { } info && info != "polyglot-notebook")
            return Normalize(info);
        return "csharp";
    }

    /// <summary>The kernel of a cell's first segment (before any later <c>#!kernel</c> line).</summary>
    public static string Of(NotebookCell cell, Notebook notebook)
    {
        if (cell.Type == CellType.Markdown)
            return "markdown";
        if (cell.Type == CellType.Raw)
            return "raw";
        var first = cell.Source.TrimStart().Split('\n', 2)[0].Trim();
        if (first.StartsWith("#!", StringComparison.Ordinal) && IsKernelName(Normalize(first[2..])))
            return Normalize(first[2..]);
        return MetadataKernel(cell.Metadata) ?? NotebookDefault(notebook);
    }

    /// <summary>True for a name that, after <c>#!</c>, switches kernels.</summary>
    public static bool IsKernelName(string normalized) => KnownKernels.Contains(normalized);

    static string? MetadataKernel(JsonObject md)
    {
        if (Text(At(md, "polyglot_notebook", "kernelName")) is { } k)
            return Normalize(k);
        if (Text(At(md, "dotnet_interactive", "language")) is { } l)
            return Normalize(l);
        if (Text(At(md, "vscode", "languageId")) is { } id && id != "polyglot-notebook")
            return Normalize(id);
        return null;
    }

    /// <summary>The value at a key path, or null where any step is missing or not an object (metadata is free-form JSON).</summary>
    static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var child) ? child : null;
        return node;
    }

    static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}
