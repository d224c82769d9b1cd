namespace PeftKit.Tests.Setup;

/// <summary>A failed dlopen reports the loader's own reason, the file, and what to do.</summary>
public sealed class DlTests
{
    [Fact]
    public void MissingFileNamesTheLoadersReasonAndTheFix()
    {
        if (!OperatingSystem.IsLinux()) return;
        var file = Path.Combine(Path.GetTempPath(), "peftkit-no-such-" + Guid.NewGuid().ToString("N") + ".so");
        var e = Assert.Throws<TorchSetupException>(() => Dl.OpenOrThrow(file, Dl.Now));
        Assert.Contains(file, e.Message);
        Assert.Contains("cannot open shared object file", e.Message);   // dlerror()'s text, not an empty reason
        Assert.Contains("reference TorchSharp-cpu", e.Message);
    }

    [Fact]
    public void UnloadableFileSaysItExistsAndWhatToCheck()
    {
        if (!OperatingSystem.IsLinux()) return;
        var file = Path.Combine(Path.GetTempPath(), "peftkit-not-elf-" + Guid.NewGuid().ToString("N") + ".so");
        File.WriteAllText(file, "not an ELF file");
        try
        {
            var e = Assert.Throws<TorchSetupException>(() => Dl.OpenOrThrow(file, Dl.Now));
            Assert.Contains("file too short", e.Message);                  // dlerror()'s text for a 15-byte non-ELF
            Assert.Contains("The file exists", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
