using System.Reflection;

namespace PeftKit.Charts;

/// <summary>
/// Reaches Plotly.NET in its own <see cref="PlottingLoadContext"/>. Plotly.NET 6 needs FSharp.Core 10.1; the .NET
/// Interactive kernel (VS Code Polyglot, Jupyter) already holds FSharp.Core 10.0 in its default context, and half an
/// F# graph bound to each fails. So PeftKit never loads Plotly.NET itself: PeftKit.Plotting.dll and its dependencies
/// (FSharp.Core 10.1, Giraffe.ViewEngine, DynamicObj, …) sit in a folder of their own and load together, and only
/// strings cross over (the chart description in, Plotly's figure JSON out).
/// </summary>
internal static class PlottingBridge
{
    /// <summary>Folder name beside PeftKit.dll in build outputs and apps (the package's build targets copy it there).</summary>
    internal const string OutputFolder = "peftkit-plotting";
    /// <summary>Folder at the package root (~/.nuget/packages/peftkit/VERSION/plotting) that notebooks load from.</summary>
    internal const string PackageFolder = "plotting";
    const string EntryAssembly = "PeftKit.Plotting";

    static readonly Lazy<Type> Renderer = new(Load);
    // plotly.js (3.7 MB) is read only when a page needs it, not for every figure.
    static readonly Lazy<string> Script = new(ReadPlotlyJs);

    /// <summary>Plotly's figure JSON for a chart description (see <see cref="Chart.Describe"/>).</summary>
    internal static string Render(string description)
    {
        try
        {
            return (string)Renderer.Value.GetMethod("Render", [typeof(string)])!.Invoke(null, [description])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"Plotly.NET could not draw the chart: {e.InnerException.Message}", e.InnerException);
        }
    }

    /// <summary>The plotly.js that Plotly.NET embeds (3.7 MB, offline).</summary>
    internal static string PlotlyJs => Script.Value;

    /// <summary>Folders searched for PeftKit.Plotting.dll, in order.</summary>
    internal static IEnumerable<string> CandidateFolders()
    {
        var location = typeof(PlottingBridge).Assembly.Location;
        var here = location.Length > 0 ? Path.GetDirectoryName(location)! : AppContext.BaseDirectory;
        yield return Path.Combine(here, OutputFolder);
        // NuGet cache layout: peftkit/<version>/lib/net10.0/PeftKit.dll → peftkit/<version>/plotting
        yield return Path.GetFullPath(Path.Combine(here, "..", "..", PackageFolder));
        yield return Path.Combine(AppContext.BaseDirectory, OutputFolder);
    }

    static Type Load()
    {
        var folder = CandidateFolders().FirstOrDefault(f => File.Exists(Path.Combine(f, EntryAssembly + ".dll")))
            ?? throw new InvalidOperationException(
                $"PeftKit's chart renderer ({EntryAssembly}.dll with Plotly.NET) was not found; looked in: {string.Join(", ", CandidateFolders().Distinct())}. " +
                "It ships in the PeftKit package's plotting/ folder and is copied to peftkit-plotting/ beside PeftKit.dll on build: " +
                "reference PeftKit as a package (#r \"nuget: PeftKit, VERSION\" after #i \"nuget: FEED\") or rebuild the project that references it.");
        var context = new PlottingLoadContext(folder);
        return context.LoadFromAssemblyName(new AssemblyName(EntryAssembly)).GetType("PeftKit.Plotting.FigureRenderer", throwOnError: true)!;
    }

    static string ReadPlotlyJs() => (string?)Renderer.Value.GetMethod("PlotlyJs", Type.EmptyTypes)!.Invoke(null, null)
        ?? throw new InvalidOperationException("The Plotly.NET assembly PeftKit loaded carries no plotly.js; charts cannot render offline.");
}
