using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace PeftKit.Notebooks.Display;

/// <summary>
/// The default forms (POLYGLOT.md): a string is text/plain; scalars are html <c>&lt;pre&gt;</c>; sequences an
/// index/value table; other objects a name/value table; text/plain is the fallback form of everything.
/// </summary>
internal static class DefaultFormatting
{
    public static string Plain(object? value, int limit)
    {
        switch (value)
        {
            case null: return "<null>";
            case string s: return s;
            case HtmlString h: return h.Html;
        }
        if (TensorFormatting.TryFormat(value, out var tensor))
            return tensor;
        if (IsScalar(value))
            return Scalar(value);
        if (value is IEnumerable sequence)
        {
            var (items, more) = Take(sequence, limit);
            var body = string.Join(", ", items.Select(i => i is IEnumerable and not string ? Plain(i, limit) : Scalarish(i, limit)));
            return $"[ {body}{(more ? ", ..." : "")} ]";
        }
        if (OverridesToString(value.GetType()))
            return value.ToString() ?? "";
        var members = Members(value);
        return members.Count == 0
            ? value.GetType().Name
            : $"{value.GetType().Name} {{ {string.Join(", ", members.Select(m => $"{m.Name} = {Scalarish(m.Value, limit)}"))} }}";
    }

    public static string Html(object? value, FormatterRegistry registry)
    {
        switch (value)
        {
            case null: return Pre("<null>");
            case HtmlString h: return h.Html;
            case string s: return Pre(s);
        }
        if (PlotlyFormatting.IsChart(value))
            return PlotlyFormatting.Html(value, registry);
        if (TensorFormatting.TryFormat(value, out var tensor))
            return Pre(tensor);
        if (IsScalar(value))
            return Pre(Scalar(value));
        if (value is IEnumerable sequence)
        {
            var (items, more) = Take(sequence, registry.ListExpansionLimit);
            var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th><th>value</th></tr></thead><tbody>");
            for (int i = 0; i < items.Count; i++)
                sb.Append($"<tr><td>{i}</td><td>{Encode(registry.FormatAs(items[i], FormatterRegistry.Plain))}</td></tr>");
            if (more)
                sb.Append("<tr><td colspan=\"2\"><i>(more)</i></td></tr>");
            return sb.Append("</tbody></table>").ToString();
        }
        var members = Members(value);
        if (members.Count == 0)
            return Pre(value.ToString() ?? "");
        var table = new StringBuilder("<table><thead><tr><th>name</th><th>value</th></tr></thead><tbody>");
        foreach (var (name, member) in members)
            table.Append($"<tr><td>{Encode(name)}</td><td>{Encode(registry.FormatAs(member, FormatterRegistry.Plain))}</td></tr>");
        return table.Append("</tbody></table>").ToString();
    }

    /// <summary>An HTML table of items: one column per public member of <paramref name="elementType"/>, or one value column.</summary>
    public static string Table(IReadOnlyList<object?> items, Type elementType)
    {
        var columns = IsScalarType(elementType) ? [] : ReadableMembers(elementType);
        var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        if (columns.Count == 0)
            sb.Append("<th>value</th>");
        foreach (var c in columns)
            sb.Append($"<th>{Encode(c.Name)}</th>");
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < items.Count; i++)
        {
            sb.Append($"<tr><td>{i}</td>");
            if (columns.Count == 0)
                sb.Append($"<td>{Encode(Plain(items[i], FormatterRegistry.DefaultListExpansionLimit))}</td>");
            foreach (var c in columns)
                sb.Append($"<td>{Encode(Plain(items[i] is null ? null : Read(c, items[i]!), FormatterRegistry.DefaultListExpansionLimit))}</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    public static string Pre(string text) => $"<div class=\"dni-plaintext\"><pre>{Encode(text)}</pre></div>";

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    static string Scalarish(object? value, int limit) => value switch
    {
        null => "<null>",
        string s => s,
        _ when IsScalar(value) => Scalar(value),
        _ => Plain(value, limit),
    };

    static bool IsScalar(object value) => IsScalarType(value.GetType()) || value is IFormattable;

    static bool IsScalarType(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(Guid);

    static string Scalar(object value) => value switch
    {
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static (List<object?> Items, bool More) Take(IEnumerable sequence, int limit)
    {
        var items = new List<object?>();
        foreach (var item in sequence)
        {
            if (items.Count == limit)
                return (items, true);
            items.Add(item);
        }
        return (items, false);
    }

    static bool OverridesToString(Type type) =>
        type.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType is { } d && d != typeof(object) && d != typeof(ValueType)
        && !type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false);

    static List<(string Name, object? Value)> Members(object value) =>
        ReadableMembers(value.GetType()).Select(m => (m.Name, Read(m, value))).ToList();

    static List<MemberInfo> ReadableMembers(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).Cast<MemberInfo>()
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            .ToList();

    static object? Read(MemberInfo member, object target)
    {
        try
        {
            return member is PropertyInfo p ? p.GetValue(target) : ((FieldInfo)member).GetValue(target);
        }
        catch (TargetInvocationException e)
        {
            return $"({e.InnerException?.GetType().Name}: {e.InnerException?.Message})";
        }
    }
}
