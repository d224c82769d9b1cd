using System.Diagnostics;
using PeftKit.IO;

namespace PeftKit.Tests.Models.Pretrained;

/// <summary>
/// Runs tests/reference/make_reference.py (an independent float64 PyTorch reference written from the GPT-2 and BERT
/// papers) once into a temp folder: Hugging Face-layout checkpoint folders plus expected/NAME.safetensors with the
/// inputs and outputs. Needs Debian's python3-torch; without it every test using this fixture fails saying so.
/// </summary>
public sealed class ReferenceCheckpoints : IDisposable
{
    const string Python = "/usr/bin/python3";

    public ReferenceCheckpoints()
    {
        KitTorch.Setup();
        Root = Directory.CreateTempSubdirectory("peftkit-reference-").FullName;
        var (torchCode, torchOutput) = Run(Python, "-c", "import torch");
        if (torchCode != 0)
            throw new InvalidOperationException(
                $"The reference checkpoints need PyTorch in {Python} (Debian's python3-torch; the pyenv python has none): " +
                $"`sudo apt-get install -y python3-torch` (tests/run.sh installs it). {Python} said: {torchOutput.Trim()}");
        var script = Path.Combine(RepoRoot(), "tests", "reference", "make_reference.py");
        var (code, output) = Run(Python, script, Root);
        if (code != 0) throw new InvalidOperationException($"{script} failed with exit code {code}:\n{output}");
    }

    /// <summary>The temp folder holding one folder per checkpoint and expected/.</summary>
    public string Root { get; }

    /// <summary>The checkpoint folder <paramref name="name"/>.</summary>
    public string Folder(string name) => Path.Combine(Root, name);

    /// <summary>The reference's tensors for <paramref name="name"/> (inputs and float64 outputs); the caller disposes them.</summary>
    public Dictionary<string, Tensor> Expected(string name) => Safetensors.Load(Path.Combine(Root, "expected", name + ".safetensors")).tensors;

    /// <summary>Path of expected/tokenizers.json (text → ids each tokenizer was built to give).</summary>
    public string TokenizerCases => Path.Combine(Root, "expected", "tokenizers.json");

    public void Dispose() => Directory.Delete(Root, recursive: true);

    static (int code, string output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(start)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{file} could not be started: {e.Message}");
        }
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Kit.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
