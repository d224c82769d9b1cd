namespace PeftKit.Methods.PTuning;

/// <summary>
/// Where P-Tuning's pseudo tokens sit among the real tokens, e.g. [P×3] x [P×3] "?" [MASK] for
/// "The capital of Britain is [MASK]". <see cref="Fill"/> builds the token ids; pseudo positions hold
/// <see cref="PseudoTokenId"/>, whose embedding the prompt encoder's outputs replace in order.
/// </summary>
public sealed record PTuningTemplate
{
    /// <summary>A template over <paramref name="parts"/>; pseudo positions are marked by <paramref name="pseudoTokenId"/>.</summary>
    public PTuningTemplate(IReadOnlyList<TemplatePart> parts, long pseudoTokenId, long maskTokenId)
    {
        if (parts is not { Count: > 0 }) throw new ArgumentException("A template needs at least one part.", nameof(parts));
        if (!parts.Any(p => p.Virtual > 0)) throw new ArgumentException("A P-Tuning template needs at least one TemplatePart.Prompt(n).", nameof(parts));
        if (pseudoTokenId < 0 || maskTokenId < 0) throw new ArgumentOutOfRangeException(nameof(pseudoTokenId), "Token ids must be non-negative.");
        if (pseudoTokenId == maskTokenId) throw new ArgumentException("The pseudo token and [MASK] need different ids.");
        if (parts.Any(p => p.Anchor?.Contains(pseudoTokenId) == true))
            throw new ArgumentException($"An anchor contains the pseudo token id {pseudoTokenId}; pick a pseudo id no real text uses.");
        Parts = [.. parts];
        PseudoTokenId = pseudoTokenId;
        MaskTokenId = maskTokenId;
    }

    /// <summary>The parts in order.</summary>
    public IReadOnlyList<TemplatePart> Parts { get; }

    /// <summary>The id that marks pseudo-token positions (reserve an id no real text uses).</summary>
    public long PseudoTokenId { get; }

    /// <summary>The [MASK] id.</summary>
    public long MaskTokenId { get; }

    /// <summary>Total pseudo tokens n.</summary>
    public int VirtualTokens => Parts.Sum(p => p.Virtual);

    /// <summary>The token ids of one example: the parts in order with <paramref name="inputs"/>[slot] at each input part.</summary>
    public long[] Fill(params IReadOnlyList<long>[] inputs)
    {
        var ids = new List<long>();
        foreach (var p in Parts)
        {
            if (p.Virtual > 0) ids.AddRange(Enumerable.Repeat(PseudoTokenId, p.Virtual));
            else if (p.Anchor is not null) ids.AddRange(p.Anchor);
            else if (p.IsMask) ids.Add(MaskTokenId);
            else if (p.InputSlot >= 0)
            {
                if (p.InputSlot >= inputs.Length) throw new ArgumentException($"The template reads input {p.InputSlot} but {inputs.Length} inputs were given.");
                if (inputs[p.InputSlot].Contains(PseudoTokenId)) throw new ArgumentException($"Input {p.InputSlot} contains the pseudo token id {PseudoTokenId}.");
                ids.AddRange(inputs[p.InputSlot]);
            }
        }
        return [.. ids];
    }
}
