namespace PeftKit.Cli.Tests;

public sealed class DoctorTests
{
    [Fact]
    public void DoctorReportsAWorkingCpuBackend()
    {
        var (exit, stdout, stderr) = Kit.Run("doctor", "--offline");
        Assert.True(exit == 0, stderr);
        Assert.Contains("TorchSharp 0.107.0 · libtorch 2.10.0", stdout);
        Assert.Contains("backend cpu · device cpu", stdout);
        Assert.Matches("libstdc\\+\\+ fix: (applied|not needed)", stdout);
        // The quarantine is built with the shim, so it is active exactly where the libstdc++ fix is applied.
        Assert.Contains(stdout.Contains("libstdc++ fix: applied") ? "scalar quarantine: active (native scalars freed after 65,536" : "scalar quarantine: not active here", stdout);
        Assert.Contains("torch check: ones(2,2).sum() = 4", stdout);
    }

    [Fact]
    public void EveryVerbHasHelp()
    {
        foreach (var verb in new[] { "doctor", "run", "export" })
        {
            var (exit, stdout, _) = Kit.Run(verb, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("Usage:", stdout);
        }
    }
}
