namespace PeftKit.Cli.Tests;

/// <summary>
/// PeftKit as a .NET developer takes it: a fresh console app (`dotnet new console`, outside this repository so none of
/// its build settings apply), `dotnet add package PeftKit --source artifacts/feed` plus TorchSharp-cpu, then LoRA on a
/// tiny model (Consumer/Program.cs.txt) run with `dotnet run`.
/// </summary>
public sealed class PackageConsumerTests
{
    static readonly TimeSpan Minutes5 = TimeSpan.FromMinutes(5);

    [Fact]
    public void FreshConsoleAppAddsThePackageAndRunsLora()
    {
        var root = Repo.Root;
        var feed = Path.Combine(root, "artifacts", "feed");
        Assert.True(File.Exists(Path.Combine(feed, $"PeftKit.{Repo.PeftKitVersion}.nupkg")),
            $"No PeftKit {Repo.PeftKitVersion} package in {feed}: `dotnet build lib/PeftKit` writes it.");
        var app = Directory.CreateTempSubdirectory("peftkit-consumer-");
        try
        {
            Step("dotnet", ["new", "console", "--name", "LoraApp", "--output", app.FullName, "--framework", "net10.0"], app.FullName);
            Step("dotnet", ["add", "package", "PeftKit", "--version", Repo.PeftKitVersion, "--source", feed], app.FullName);
            Step("dotnet", ["add", "package", "TorchSharp-cpu", "--version", Repo.TorchSharpVersion], app.FullName);
            File.Copy(Path.Combine(root, "tests", "PeftKit.Cli.Tests", "Consumer", "Program.cs.txt"), Path.Combine(app.FullName, "Program.cs"), overwrite: true);
            var output = Step("dotnet", ["run", "-p:NoWarn=NU1603"], app.FullName);
            Assert.Contains("trainable params:", output);
            Assert.Contains("identity at init: True", output);
            Assert.Contains("frozen weights unchanged: True", output);
            Assert.Contains("merged = unmerged within 1e-5: True", output);
            Assert.Contains("changed by training: True", output);
            Assert.Contains("chart figure json: True", output);
            Assert.True(Directory.Exists(Path.Combine(app.FullName, "bin", "Debug", "net10.0", "peftkit-plotting")),
                "the package's build targets should copy the chart renderer to peftkit-plotting/ in the app's output");
        }
        finally
        {
            app.Delete(recursive: true);
        }
    }

    static string Step(string file, string[] args, string dir)
    {
        var (exit, output) = Tool.Run(file, args, dir, Minutes5);
        Assert.True(exit == 0, $"`{file} {string.Join(' ', args)}` exited {exit}:\n{output}");
        return output;
    }
}
