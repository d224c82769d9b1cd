using System.IO.Compression;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Format;

namespace PeftKit.Notebooks.Tests;

/// <summary><c>#load "file.csx"</c> and <c>#i "nuget: source"</c> (POLYGLOT.md: Roslyn's own #load; #i adds a package source).</summary>
public class DirectiveTests
{
    [Fact]
    public async Task LoadRunsCsxBesideTheNotebook()
    {
        var dir = Fixture.CopyToTemp("load.ipynb", "helper.csx");
        var r = await NotebookExecutor.RunAsync(NotebookReader.ReadFile(Path.Combine(dir, "load.ipynb")), new NotebookRunOptions(dir));
        Assert.True(r.Status == NotebookStatus.Succeeded, r.FirstError);
        Assert.Equal("42", r.Notebook.Cells[0].Text()); // a method defined in helper.csx
        Assert.Equal("from helper", r.Notebook.Cells[1].Text()); // a variable defined there, used in a later cell
    }

    [Fact]
    public async Task LoadOfMissingFileIsACompileErrorNamingIt()
    {
        var r = await Fixture.RunAsync("load-missing.ipynb");
        Assert.Equal(NotebookStatus.Failed, r.Status);
        var error = Assert.Single(r.Notebook.Cells[0].Outputs);
        Assert.Equal("CompilationError", error.EName);
        Assert.StartsWith("(1,7): error CS1504: Source file '", error.EValue);
        Assert.Contains("missing.csx' could not be opened", error.EValue);
    }

    [Fact]
    public async Task PackageSourceFolderIsUsedForRestore()
    {
        // A package that exists only in the folder named by #i: built here (a Roslyn-compiled DLL zipped as a .nupkg).
        // NUGET_PACKAGES points at an empty folder, so neither a global-packages hit nor an earlier run can satisfy it.
        var dir = Fixture.CopyToTemp("local-feed.ipynb", "local-feed-no-source.ipynb");
        WritePackage(Path.Combine(dir, "feed"), "PeftKit.LocalFeedTest", "1.0.0");
        var previous = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        Environment.SetEnvironmentVariable("NUGET_PACKAGES", Path.Combine(dir, "packages"));
        try
        {
            var options = new NotebookRunOptions(dir, packageCacheDirectory: Path.Combine(dir, "restore-cache"));
            var without = await NotebookExecutor.RunAsync(NotebookReader.ReadFile(Path.Combine(dir, "local-feed-no-source.ipynb")), options);
            Assert.Equal(NotebookStatus.Failed, without.Status);
            var error = Assert.Single(without.Notebook.Cells[0].Outputs);
            Assert.Equal("NuGetError", error.EName);
            Assert.StartsWith("Cell 1: NuGet restore of PeftKit.LocalFeedTest, 1.0.0 failed", error.EValue);
            Assert.Contains("NU1101", error.EValue); // "Unable to find package": the id exists nowhere but in ./feed

            var with = await NotebookExecutor.RunAsync(NotebookReader.ReadFile(Path.Combine(dir, "local-feed.ipynb")), options);
            Assert.True(with.Status == NotebookStatus.Succeeded, with.FirstError);
            Assert.Equal("4242", with.Notebook.Cells[0].Text());
            Assert.True(Directory.Exists(Path.Combine(dir, "packages", "peftkit.localfeedtest", "1.0.0")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", previous);
        }
    }

    /// <summary>A minimal .nupkg: the .nuspec and lib/net10.0/&lt;id&gt;.dll with <c>public static class Answer { Value = 4242 }</c>.</summary>
    static void WritePackage(string feed, string id, string version)
    {
        Directory.CreateDirectory(feed);
        var compilation = CSharpCompilation.Create(id,
            [CSharpSyntaxTree.ParseText($"namespace {id} {{ public static class Answer {{ public static int Value => 4242; }} }}")],
            ReferenceRegistry.PlatformReferences, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var dll = new MemoryStream();
        var emitted = compilation.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        using var zip = ZipFile.Open(Path.Combine(feed, $"{id}.{version}.nupkg"), ZipArchiveMode.Create);
        using (var w = new StreamWriter(zip.CreateEntry($"{id}.nuspec").Open()))
            w.Write($"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata><id>{id}</id><version>{version}</version><authors>peftkit tests</authors><description>test package</description></metadata>
                </package>
                """);
        using (var s = zip.CreateEntry($"lib/net10.0/{id}.dll").Open())
            s.Write(dll.ToArray());
    }
}
