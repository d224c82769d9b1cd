namespace PeftKit.Data;

/// <summary>
/// Finds the kit's <c>data/</c> folder: <c>$PEFTKIT_DATA</c> when set; otherwise the first folder named <c>data</c>
/// holding <c>manifest.json</c>, or beside <c>Kit.sln</c>, walking up from the current directory and then from the
/// assembly's directory.
/// </summary>
public static class DataRoot
{
    /// <summary>Environment variable that overrides the data folder.</summary>
    public const string EnvironmentVariable = "PEFTKIT_DATA";

    /// <summary>Name of the manifest <c>kit data</c> writes into the data folder.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>Returns the data folder's full path.</summary>
    /// <exception cref="DirectoryNotFoundException">No data folder can be found; the message says how to fix it.</exception>
    public static string Locate()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            var full = Path.GetFullPath(env);
            if (!Directory.Exists(full))
                throw new DirectoryNotFoundException($"{EnvironmentVariable} is set to '{env}', which is not a folder. Point it at the kit's data/ folder or unset it.");
            return full;
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            if (FindFrom(start) is { } found) return found;
        throw new DirectoryNotFoundException(
            $"Cannot find the kit's data/ folder above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'. " +
            $"Run from inside the PeftKit repository, or set {EnvironmentVariable} to the folder `kit data` wrote.");
    }

    /// <summary>Walks up from <paramref name="start"/>; returns the data folder found, or null.</summary>
    public static string? FindFrom(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            var data = Path.Combine(dir.FullName, "data");
            if (File.Exists(Path.Combine(data, ManifestFileName)) || File.Exists(Path.Combine(dir.FullName, "Kit.sln")))
                return data;
        }
        return null;
    }
}
