namespace PeftKit.Setup;

/// <summary>
/// How big a notebook or pretraining run is: <see cref="Quick"/> (seconds to a few minutes on a 2-core CPU; what the
/// tests run) or <see cref="Full"/> (the sizes the committed outputs and bases come from). Every notebook's parameters
/// cell assigns <c>profile</c> as a string, the papermill convention that <c>kit run -p profile=quick</c> overrides, and
/// turns it into a <see cref="Profile"/> once with <see cref="Parse"/>, so a typo stops there instead of silently
/// meaning one size in some notebooks and the other size in others.
/// </summary>
public sealed class Profile
{
    Profile(string name) => Name = name;

    /// <summary>Small data, few steps: checks that everything runs.</summary>
    public static Profile Quick { get; } = new("quick");

    /// <summary>The sizes the committed results come from.</summary>
    public static Profile Full { get; } = new("full");

    /// <summary>Every profile, in order of size.</summary>
    public static IReadOnlyList<Profile> All { get; } = [Quick, Full];

    /// <summary>The names <see cref="Parse"/> accepts: quick, full.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name)];

    /// <summary>The name as written in a parameters cell or on the command line.</summary>
    public string Name { get; }

    /// <summary>True for <see cref="Quick"/>.</summary>
    public bool IsQuick => this == Quick;

    /// <summary>True for <see cref="Full"/>.</summary>
    public bool IsFull => this == Full;

    /// <summary>The profile with this exact name (lower case, no spaces).</summary>
    /// <exception cref="ArgumentException">Null, empty or any other name; the message lists the allowed ones.</exception>
    public static Profile Parse(string? name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException(
            $"Unknown profile {(name is null ? "null" : $"\"{name}\"")}: use one of {string.Join(", ", Names.Select(n => $"\"{n}\""))} " +
            "(set it in the cell tagged \"parameters\", or `kit run … -p profile=quick`).", nameof(name));

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
