namespace PeftKit.Charts;

/// <summary>
/// Names a type's formatter source the way .NET Interactive reads it: by this class name and its two properties
/// (<c>FormatterSourceType</c>, <c>PreferredMimeTypes</c>), so PeftKit needs no reference to the kernel. Both hosts read
/// <c>PreferredMimeTypes</c> when they first meet the type; unless set, it is the source's static <c>MimeTypes</c>, so
/// the forms can depend on the machine (a browser for the PNG).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    string[]? preferred;

    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[]? PreferredMimeTypes
    {
        get => preferred ?? FormatterSourceType.GetProperty("MimeTypes", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) as string[];
        set => preferred = value;
    }
}
