using System.Reflection;
using System.Runtime.Loader;

namespace PeftKit.Charts;

/// <summary>
/// An assembly load context over one folder: an assembly whose file is in the folder loads from there (even when
/// the default context holds another version of it, as FSharp.Core in the .NET Interactive kernel); anything else
/// (the framework) comes from the default context.
/// </summary>
internal sealed class PlottingLoadContext(string folder) : AssemblyLoadContext("PeftKit.Plotting", isCollectible: false)
{
    /// <summary>The folder this context loads from.</summary>
    internal string Folder { get; } = folder;

    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(Folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
