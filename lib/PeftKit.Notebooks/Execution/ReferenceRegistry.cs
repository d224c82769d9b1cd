using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting.Hosting;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// Loads referenced assemblies into the default load context — reusing one the host already has (same simple name),
/// e.g. TorchSharp loaded by the kit itself — and tells Roslyn's script loader to bind to exactly those assemblies
/// (otherwise it would load a second copy in a private context). Also resolves native libraries of restored packages.
/// </summary>
internal sealed class ReferenceRegistry
{
    static readonly ConcurrentDictionary<string, string> ManagedPaths = new(StringComparer.OrdinalIgnoreCase);
    static readonly ConcurrentDictionary<string, string> NativePaths = new(StringComparer.Ordinal);
    static int hooked;

    static readonly Lazy<Dictionary<string, string>> Tpa = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase));

    static readonly Lazy<IReadOnlyList<MetadataReference>> Platform = new(() =>
    {
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return Tpa.Value.Values
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDir, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    });

    readonly HashSet<string> added = new(StringComparer.OrdinalIgnoreCase);

    public InteractiveAssemblyLoader Loader { get; } = new();

    /// <summary>The shared framework's assemblies (what `ScriptOptions.Default` lacks on .NET Core).</summary>
    public static IReadOnlyList<MetadataReference> PlatformReferences => Platform.Value;

    public ReferenceRegistry()
    {
        if (Interlocked.Exchange(ref hooked, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                name.Name is { } n && ManagedPaths.TryGetValue(n, out var path) ? context.LoadFromAssemblyPath(path) : null;
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
                NativePaths.TryGetValue(name, out var path) && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
        }
    }

    /// <summary>Registers native libraries under their file name and the usual short forms (libfoo.so → foo, libfoo).</summary>
    public static void AddNatives(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var file = Path.GetFileName(path);
            var stem = file.Split('.')[0];
            foreach (var key in new[] { file, stem, stem.StartsWith("lib", StringComparison.Ordinal) ? stem[3..] : stem })
                NativePaths.TryAdd(key, path);
        }
    }

    /// <summary>
    /// Makes the assemblies at <paramref name="paths"/> available to the script. Returns compile references for the
    /// ones not added before. With <paramref name="strict"/>, a file that is not a managed assembly is an error.
    /// </summary>
    public List<MetadataReference> Add(IEnumerable<string> paths, bool strict)
    {
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(path);
            }
            catch (BadImageFormatException) when (!strict)
            {
                continue; // e.g. a native DLL shipped in a lib folder
            }
            catch (BadImageFormatException e)
            {
                throw new Packages.NotebookPackageException($"#r \"{path}\": not a .NET assembly ({e.Message}).", e);
            }
            var simple = name.Name!;
            ManagedPaths.TryAdd(simple, path);
            if (!added.Add(simple))
                continue;
            var assembly = Load(simple, path);
            Loader.RegisterDependency(assembly);
            references.Add(MetadataReference.CreateFromFile(assembly.Location.Length > 0 ? assembly.Location : path));
        }
        return references;
    }

    static Assembly Load(string simpleName, string path)
    {
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));
        if (loaded is not null)
            return loaded; // the host already has it: share its types (one TorchSharp per process)
        if (Tpa.Value.ContainsKey(simpleName))
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName));
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(path));
    }
}
