namespace PeftKit.Cli.Tests;

/// <summary>The real validators FACTS.md lists (Debian's python3-nbformat), as the tests call them.</summary>
internal static class Validators
{
    const string Python = "/usr/bin/python3";

    /// <summary>Fails unless nbformat.validate accepts the notebook at <paramref name="path"/>.</summary>
    internal static void Nbformat(string path)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install python3-nbformat (tests/run.sh does).");
        var (exit, output) = Tool.Run(Python, ["-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path],
            Path.GetTempPath(), TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"nbformat rejects {path}:\n{output}");
    }
}
