using System.Diagnostics;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Parameters;
using Xunit.Abstractions;

namespace PeftKit.Notebooks.Tests.Fuzz;

/// <summary>
/// Ten thousand mutated notebooks (<see cref="NotebookMutator"/>, seeded) through everything `kit run` and
/// `kit export` do with an input besides running it: read, inject parameters, write, read back, and (every fifth
/// readable one) export as HTML and as a file-based app. The only exception allowed is a <see cref="NotebookFormatException"/> that names the file and
/// one of the known problems (parameters may be refused with an <see cref="ArgumentException"/>, as documented).
/// </summary>
public class NotebookFuzzTests(ITestOutputHelper output)
{
    const int Cases = 10_000;
    const int Seed = 20261130;
    const int ExportEvery = 5; // the exporters parse C# with Roslyn (~40 ms a notebook): a fifth of the readable cases keeps the test under a minute

    static readonly string[] SeedFiles = ["outputs.ipynb", "polyglot.ipynb", "dotnet-interactive.ipynb", "runtime-error.ipynb"];

    /// <summary>What a rejection is about, from its message; "unnamed" would mean a message that names no problem.</summary>
    static string Kind(string message) => message switch
    {
        _ when message.Contains("malformed JSON") => "malformed JSON",
        _ when message.Contains("not valid UTF-8") => "invalid UTF-8",
        _ when message.Contains("surrogate pair") => "unpaired surrogate",
        _ when message.Contains("duplicate key") => "duplicate key",
        _ when message.Contains("nested deeper than") => "too deep",
        _ when message.Contains("missing required key") => "missing key",
        _ when message.Contains(": expected ") => "wrong type",
        _ when message.Contains("unknown cell type") || message.Contains("unknown output type") => "unknown type",
        _ when message.Contains("is not supported") || message.Contains("must not be negative") => "unsupported value",
        _ => "unnamed",
    };

    [Fact]
    public void TenThousandMutatedNotebooksAreReadWrittenAndExportedOrRejectedByName()
    {
        var seeds = SeedFiles.Select(f => File.ReadAllBytes(Path.Combine(Fixture.Dir, f))).ToArray();
        var mutator = new NotebookMutator(Seed);
        var rejections = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var edits = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        int accepted = 0, exported = 0, parameterRefusals = 0;
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-fuzz");
        var clock = Stopwatch.StartNew();
        Stopwatch mutate = new(), read = new(), write = new(), export = new();
        for (int i = 0; i < Cases; i++)
        {
            mutate.Start();
            var (applied, bytes) = mutator.Next(seeds[i % seeds.Length]);
            mutate.Stop();
            foreach (var e in applied)
                edits[e] = edits.GetValueOrDefault(e) + 1;
            try
            {
                Notebook notebook;
                try
                {
                    read.Start();
                    notebook = NotebookReader.Read(bytes, "fuzz.ipynb");
                }
                catch (NotebookFormatException e)
                {
                    var kind = Kind(e.Message);
                    rejections[kind] = rejections.GetValueOrDefault(kind) + 1;
                    if (kind == "unnamed" || !e.Message.StartsWith("fuzz.ipynb: ", StringComparison.Ordinal))
                        failures.Add($"case {i} ({string.Join(", ", applied)}): rejection names no problem: {e.Message}");
                    continue;
                }
                finally
                {
                    read.Stop();
                }
                accepted++;
                try
                {
                    ParameterInjector.Inject(notebook, new Dictionary<string, string> { ["seed"] = "7" });
                }
                catch (ArgumentException)
                {
                    parameterRefusals++; // no parameters cell, or no 'seed' in it: `kit run` reports it as a bad argument
                }
                write.Start();
                var json = NotebookWriter.ToJson(notebook);
                var again = NotebookWriter.ToJson(NotebookReader.Read(json, "written.ipynb"));
                if (again != json)
                    failures.Add($"case {i} ({string.Join(", ", applied)}): the written notebook reads back differently");
                write.Stop();
                if (accepted % ExportEvery != 0)
                    continue;
                exported++;
                export.Start();
                HtmlExporter.Export(notebook, "fuzz");
                CSharpAppExporter.Export(notebook, dir, dir);
                export.Stop();
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({string.Join(", ", applied)}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        clock.Stop();
        var summary = string.Join("\n",
        [
            $"{Cases} cases from seed {Seed} in {clock.Elapsed.TotalSeconds:F1} s: {accepted} read, written and read back ({exported} of them also exported); " +
            $"{Cases - accepted} rejected; {parameterRefusals} of the read ones refused the parameter; seconds spent mutating " +
            $"{mutate.Elapsed.TotalSeconds:F1}, reading {read.Elapsed.TotalSeconds:F1}, writing and reading back {write.Elapsed.TotalSeconds:F1}, exporting {export.Elapsed.TotalSeconds:F1}",
            "rejections: " + string.Join(", ", rejections.Select(r => $"{r.Key} {r.Value}")),
            "edits: " + string.Join(", ", edits.Select(r => $"{r.Key} {r.Value}")),
        ]);
        output.WriteLine(summary);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "fuzz-summary.txt"), summary + "\n");
        Assert.True(failures.Count == 0, $"{failures.Count} failures, e.g.:\n{string.Join("\n", failures.Take(2))}\n{summary}");
        // The mutations must exercise both sides: a fuzz that rejects everything (or nothing) tests little.
        Assert.InRange(accepted, Cases / 10, Cases * 9 / 10);
        foreach (var kind in new[] { "malformed JSON", "invalid UTF-8", "unpaired surrogate", "duplicate key", "too deep", "wrong type", "missing key" })
            Assert.True(rejections.GetValueOrDefault(kind) > 0, $"no case was rejected as {kind}:\n{summary}");
    }
}
