using System.Xml.Linq;

namespace PeftKit.Cli.Tests;

/// <summary>The repository these tests were built from, and the versions pinned in its props files.</summary>
internal static class Repo
{
    internal static readonly string Root = FindRoot();

    /// <summary>PeftKit's package version (Directory.Build.props, PeftKitVersion).</summary>
    internal static string PeftKitVersion => Property("Directory.Build.props", "PeftKitVersion");

    /// <summary>TorchSharp's version (Directory.Packages.props, TorchSharpVersion).</summary>
    internal static string TorchSharpVersion => Property("Directory.Packages.props", "TorchSharpVersion");

    static string Property(string file, string name) =>
        XDocument.Load(Path.Combine(Root, file)).Descendants(name).Single().Value.Trim();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kit.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Kit.sln above {AppContext.BaseDirectory}; these tests must run from the repository's build output.");
    }
}
