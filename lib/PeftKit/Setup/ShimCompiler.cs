using System.Diagnostics;

namespace PeftKit.Setup;

/// <summary>Builds the ios_base_library_init shim (source embedded in this assembly) with the system C++ compiler.</summary>
internal sealed class ShimCompiler
{
    internal const string SourceName = "ios_base_library_init.cpp";
    internal const string InstallHint = "sudo apt-get install -y g++";

    /// <summary>The compiler to run: <c>$CXX</c> when set, else <c>g++</c>.</summary>
    internal string Compiler { get; }

    internal ShimCompiler(string? compiler = null) =>
        Compiler = compiler ?? (Environment.GetEnvironmentVariable("CXX") is { Length: > 0 } cxx ? cxx : "g++");

    /// <summary>Compiles the shim into <paramref name="output"/>; throws a <see cref="TorchSetupException"/> naming what is missing.</summary>
    internal void Build(string output) => Build(SourceName, output);

    /// <summary>
    /// Compiles the scalar quarantine (<see cref="ScalarQuarantine"/>) into <paramref name="output"/>, with the
    /// libLibTorchSharp.so beside it as a dependency.
    /// </summary>
    internal void BuildScalarQuarantine(string output) =>
        Build(ScalarQuarantine.SourceName, output,
            "-Wl,--no-as-needed", "-L" + Path.GetDirectoryName(output), "-l:" + TorchNatives.LibTorchSharp, "-Wl,-rpath,$ORIGIN", "-ldl");

    void Build(string sourceName, string output, params string[] linkArgs)
    {
        var source = Path.Combine(Path.GetDirectoryName(output)!, sourceName);
        using (var stream = typeof(ShimCompiler).Assembly.GetManifestResourceStream("PeftKit.Setup.Native." + sourceName)!)
        using (var file = File.Create(source))
            stream.CopyTo(file);

        var info = new ProcessStartInfo(Compiler) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])["-shared", "-fPIC", "-O2", "-o", output, source, .. linkArgs])
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TorchSetupException(
                $"TorchSharp needs std::ios_base_library_init() from GCC 13's libstdc++ (GLIBCXX_3.4.32), which this " +
                $"host's libstdc++ lacks. PeftKit fixes that by compiling a 10-line shim, but the C++ compiler " +
                $"'{Compiler}' was not found ({e.Message}). Install it with: {InstallHint}", e);
        }
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new TorchSetupException(
                $"Compiling {sourceName} with '{Compiler}' failed (exit {process.ExitCode}):\n{stderr.Result}\n" +
                $"Make sure a working C++ compiler is installed: {InstallHint}");
    }
}
