namespace PeftKit.Notebooks.Execution;

/// <summary>How to run a notebook.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Creates options; <paramref name="workingDirectory"/> is the notebook's folder (cells' relative paths).</summary>
    /// <exception cref="ArgumentException">The folder does not exist or the timeout is not positive.</exception>
    public NotebookRunOptions(string workingDirectory, TimeSpan? cellTimeout = null, bool continueOnError = false,
        TorchBackend backend = TorchBackend.Cpu, string? packageCacheDirectory = null, string notebookName = "notebook")
    {
        if (!Directory.Exists(workingDirectory))
            throw new ArgumentException($"Working directory does not exist: {workingDirectory}", nameof(workingDirectory));
        if (cellTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentException($"The cell timeout must be positive, not {t}.", nameof(cellTimeout));
        WorkingDirectory = Path.GetFullPath(workingDirectory);
        CellTimeout = cellTimeout;
        ContinueOnError = continueOnError;
        Backend = backend;
        PackageCacheDirectory = packageCacheDirectory;
        NotebookName = notebookName;
    }

    /// <summary>The notebook's folder: the current directory while cells run, and the base of relative <c>#r</c>/<c>#load</c>.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Longest time one cell may run; null for no limit.</summary>
    public TimeSpan? CellTimeout { get; }

    /// <summary>Run later cells after a cell failed (never after a timeout: the cell may still be running).</summary>
    public bool ContinueOnError { get; }

    /// <summary>TorchSharp backend for NuGet restores.</summary>
    public TorchBackend Backend { get; }

    /// <summary>Where restored package sets are cached; null for <see cref="Packages.PackageRestorer.DefaultCacheDirectory"/>.</summary>
    public string? PackageCacheDirectory { get; }

    /// <summary>Name used in messages (usually the file name).</summary>
    public string NotebookName { get; }
}
