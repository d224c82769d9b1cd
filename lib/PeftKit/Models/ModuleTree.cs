using System.Reflection;
using Module = TorchSharp.torch.nn.Module;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>Finding and swapping submodules by dotted name (the names of <c>named_modules()</c>).</summary>
internal static class ModuleTree
{
    /// <summary>The module at <paramref name="dottedName"/> below <paramref name="root"/>, or null.</summary>
    public static Module? Find(Module root, string dottedName)
    {
        Module? current = root;
        foreach (var part in dottedName.Split('.'))
        {
            current = current.named_children().FirstOrDefault(c => c.name == part).module;
            if (current is null) return null;
        }
        return current;
    }

    /// <summary>
    /// Registers <paramref name="child"/> as <paramref name="name"/> on <paramref name="parent"/> (null removes it),
    /// keeping the other children in their order so named_parameters() stays stable.
    /// </summary>
    public static void SetChild(Module parent, string name, Module? child)
    {
        var children = parent.named_children().ToList();
        foreach (var (n, _) in children) parent.register_module(n, null!);
        bool placed = false;
        foreach (var (n, m) in children)
        {
            if (n == name) { placed = true; if (child is not null) parent.register_module(n, child); }
            else parent.register_module(n, m);
        }
        if (!placed && child is not null) parent.register_module(name, child);
    }

    /// <summary>
    /// Points the field that holds child <paramref name="name"/> of <paramref name="parent"/> at
    /// <paramref name="replacement"/> (so forward uses it) and re-registers it under the same name.
    /// </summary>
    public static void Replace(Module parent, string name, string dottedName, Module<Tensor, Tensor> replacement)
    {
        var field = FieldFor(parent.GetType(), name) ?? throw new ArgumentException(
            $"'{dottedName}' is registered but is not held in a field of {parent.GetType().Name}, so it cannot be replaced.");
        if (!field.FieldType.IsInstanceOfType(replacement))
            throw new ArgumentException(
                $"'{dottedName}' is declared as {field.FieldType.Name}; a {replacement.GetType().Name} cannot take its place. " +
                "Replaceable layers are declared as Module<Tensor, Tensor>.");
        field.SetValue(parent, replacement);
        SetChild(parent, name, replacement);
    }

    static FieldInfo? FieldFor(Type? type, string name)
    {
        for (; type is not null; type = type.BaseType)
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if ((f.GetCustomAttribute<ComponentNameAttribute>()?.Name ?? f.Name) == name) return f;
        return null;
    }
}
