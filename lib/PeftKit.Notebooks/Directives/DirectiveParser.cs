using System.Text.RegularExpressions;
using PeftKit.Notebooks.Language;

namespace PeftKit.Notebooks.Directives;

/// <summary>
/// Splits a cell into C# code and directives: <c>#!kernel</c> switches, <c>#!time</c>, <c>#r</c> (nuget or DLL),
/// <c>#i "nuget: source"</c>. <c>#load</c> stays in the code for Roslyn. Anything else that cannot run here is an error
/// naming the cell number, the line and the directive.
/// </summary>
internal static partial class DirectiveParser
{
    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<id>[^,"\s]+)\s*(,\s*(?<version>[^"]*?)\s*)?"\s*(//.*)?$""")]
    private static partial Regex NuGetReference();

    [GeneratedRegex("""^\s*#r\s+"(?<path>[^"]+)"\s*(//.*)?$""")]
    private static partial Regex AssemblyReference();

    [GeneratedRegex("""^\s*#i\s+"nuget:\s*(?<source>[^"]+?)\s*"\s*(//.*)?$""")]
    private static partial Regex PackageSource();

    static readonly string[] Supported = ["#!csharp", "#!markdown", "#!time"];

    /// <param name="source">The cell source.</param>
    /// <param name="kernel">The cell's kernel before any line (from <see cref="CellLanguage.Of"/>).</param>
    /// <param name="cellNumber">1-based cell number for messages.</param>
    public static CellPlan Parse(string source, string kernel, int cellNumber)
    {
        var plan = new CellPlan();
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var code = new string[lines.Length];
        bool reported = false; // one error per non-C# segment
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            code[i] = "";
            string where = $"Cell {cellNumber}, line {i + 1}";
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                var name = trimmed[2..].Split((char[])[' ', '\t'], 2)[0];
                var normalized = CellLanguage.Normalize(name);
                if (CellLanguage.IsKernelName(normalized))
                {
                    kernel = normalized;
                    reported = kernel is not ("csharp" or "markdown");
                    if (reported)
                        plan.Errors.Add($"{where}: `#!{name}` switches to the {kernel} kernel, which `kit run` cannot execute (it runs C# only). Move that code to a C# cell or remove it.");
                    continue;
                }
                if (kernel != "csharp")
                    continue;
                if (name == "time")
                {
                    plan.Time = true;
                    continue;
                }
                plan.Errors.Add($"{where}: the magic command `#!{name}` is not supported by `kit run` (supported: {string.Join(", ", Supported)}).");
                continue;
            }
            if (kernel == "markdown")
                continue;
            if (kernel != "csharp")
            {
                if (!reported && trimmed.Length > 0)
                    plan.Errors.Add($"{where}: this cell uses the {kernel} kernel, which `kit run` cannot execute (it runs C# only). Convert the cell to C# or remove it.");
                reported |= trimmed.Length > 0;
                continue;
            }
            if (trimmed.StartsWith("#r", StringComparison.Ordinal) || trimmed.StartsWith("#i", StringComparison.Ordinal))
            {
                if (NuGetReference().Match(line) is { Success: true } n)
                    plan.Packages.Add(new PackageReference(n.Groups["id"].Value, n.Groups["version"].Success && n.Groups["version"].Value.Length > 0 ? n.Groups["version"].Value : null));
                else if (PackageSource().Match(line) is { Success: true } s)
                    plan.PackageSources.Add(s.Groups["source"].Value);
                else if (trimmed.StartsWith("#r", StringComparison.Ordinal) && AssemblyReference().Match(line) is { Success: true } r)
                    plan.AssemblyPaths.Add(r.Groups["path"].Value);
                else
                    plan.Errors.Add($"{where}: cannot parse the directive `{trimmed}` (expected #r \"nuget: Id, Version\", #r \"path.dll\" or #i \"nuget: source\").");
                continue;
            }
            code[i] = line;
        }
        plan.Code = string.Join("\n", code);
        return plan;
    }
}
