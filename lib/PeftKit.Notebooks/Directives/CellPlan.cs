namespace PeftKit.Notebooks.Directives;

/// <summary>A code cell split into its C# code and its directives.</summary>
internal sealed class CellPlan
{
    /// <summary>The C# code, with every directive line blanked so that line numbers stay cell-relative.</summary>
    public string Code { get; set; } = "";
    public List<PackageReference> Packages { get; } = new();
    public List<string> AssemblyPaths { get; } = new();
    public List<string> PackageSources { get; } = new();
    public bool Time { get; set; }
    /// <summary>Problems found: each a complete message naming cell, line and directive.</summary>
    public List<string> Errors { get; } = new();
    /// <summary>True when the cell holds no C# to run (only markdown segments, blank lines or directives).</summary>
    public bool HasCode => Code.Split('\n').Any(l => l.Trim().Length > 0);
}
