namespace PeftKit.Notebooks.Packages;

/// <summary>What a restore resolved: runtime assemblies, native libraries, and the version chosen for each package.</summary>
/// <param name="Assemblies">Full paths of the managed runtime assemblies for this platform.</param>
/// <param name="NativeLibraries">Full paths of native libraries for this platform.</param>
/// <param name="Versions">Package id (as restored) → resolved version, for every package in the graph.</param>
public sealed record RestoreResult(IReadOnlyList<string> Assemblies, IReadOnlyList<string> NativeLibraries, IReadOnlyDictionary<string, string> Versions);
