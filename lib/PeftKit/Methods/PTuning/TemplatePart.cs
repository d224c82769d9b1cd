namespace PeftKit.Methods.PTuning;

/// <summary>One piece of a <see cref="PTuningTemplate"/>.</summary>
/// <param name="Virtual">Number of pseudo tokens (for a virtual part), else 0.</param>
/// <param name="Anchor">Fixed real token ids (an anchor such as "?"), else null.</param>
/// <param name="InputSlot">Index of the example's input inserted here, else −1.</param>
/// <param name="IsMask">The [MASK] the verbalizer reads.</param>
public sealed record TemplatePart(int Virtual = 0, IReadOnlyList<long>? Anchor = null, int InputSlot = -1, bool IsMask = false)
{
    /// <summary><paramref name="count"/> continuous pseudo tokens.</summary>
    public static TemplatePart Prompt(int count) =>
        count >= 1 ? new(Virtual: count) : throw new ArgumentOutOfRangeException(nameof(count), count, "A virtual part needs at least one pseudo token.");

    /// <summary>Real anchor tokens kept as words.</summary>
    public static TemplatePart Tokens(params long[] ids) =>
        ids is { Length: > 0 } ? new(Anchor: ids) : throw new ArgumentException("An anchor needs at least one token id.", nameof(ids));

    /// <summary>The example's input number <paramref name="slot"/>.</summary>
    public static TemplatePart Input(int slot = 0) =>
        slot >= 0 ? new(InputSlot: slot) : throw new ArgumentOutOfRangeException(nameof(slot), slot, "Input slots are numbered from 0.");

    /// <summary>The [MASK] position.</summary>
    public static TemplatePart Mask { get; } = new(IsMask: true);
}
