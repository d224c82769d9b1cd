using PeftKit.Data;

namespace PeftKit.Tests.Data;

/// <summary>PEFTKIT_DATA overrides the data folder (runs alone: it changes the process environment).</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DataRootEnvironmentTests
{
    [Fact]
    public void EnvironmentVariableOverridesAndABadValueIsExplained()
    {
        var before = Environment.GetEnvironmentVariable(DataRoot.EnvironmentVariable);
        var temp = Directory.CreateTempSubdirectory("peftkit-root-").FullName;
        try
        {
            Environment.SetEnvironmentVariable(DataRoot.EnvironmentVariable, temp);
            Assert.Equal(temp, DataRoot.Locate());
            var missing = Path.Combine(temp, "nope");
            Environment.SetEnvironmentVariable(DataRoot.EnvironmentVariable, missing);
            var e = Assert.Throws<DirectoryNotFoundException>(DataRoot.Locate);
            Assert.Equal($"PEFTKIT_DATA is set to '{missing}', which is not a folder. Point it at the kit's data/ folder or unset it.", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataRoot.EnvironmentVariable, before);
            Directory.Delete(temp, true);
        }
    }
}
