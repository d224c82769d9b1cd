using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace PeftKit.Notebooks.Display;

/// <summary>
/// Shows TorchSharp tensors with their contents (the engine has no compile-time TorchSharp reference: the tensor
/// type is recognised by name and its <c>ToString(TensorStringStyle, …)</c> overload called through reflection).
/// </summary>
internal static class TensorFormatting
{
    const string TensorTypeName = "TorchSharp.torch+Tensor";
    static readonly ConcurrentDictionary<Type, MethodInfo?> Methods = new();

    public static bool IsTensor(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.FullName == TensorTypeName)
                return true;
        return false;
    }

    public static bool TryFormat(object value, out string text)
    {
        text = "";
        if (!IsTensor(value.GetType()))
            return false;
        var method = Methods.GetOrAdd(value.GetType(), FindToString);
        if (method is null)
        {
            text = value.ToString() ?? "";
            return true;
        }
        var parameters = method.GetParameters();
        var args = new object?[parameters.Length];
        args[0] = Enum.Parse(parameters[0].ParameterType, "Julia");
        for (int i = 1; i < parameters.Length; i++)
            args[i] = parameters[i].ParameterType == typeof(CultureInfo) ? CultureInfo.InvariantCulture
                : parameters[i].HasDefaultValue ? parameters[i].DefaultValue : null;
        try
        {
            text = ((string?)method.Invoke(value, args) ?? "").TrimEnd();
        }
        catch (TargetInvocationException e)
        {
            text = $"{value} ({e.InnerException?.Message})";
        }
        return true;
    }

    static MethodInfo? FindToString(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == "ToString" && m.ReturnType == typeof(string))
            .Where(m => m.GetParameters() is { Length: > 0 } p && p[0].ParameterType.Name == "TensorStringStyle"
                        && p.Skip(1).All(q => q.HasDefaultValue || q.ParameterType == typeof(CultureInfo)))
            .OrderBy(m => m.GetParameters().Length)
            .FirstOrDefault();
}
