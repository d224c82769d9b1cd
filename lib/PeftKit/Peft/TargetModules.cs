using System.Text.RegularExpressions;

namespace PeftKit;

/// <summary>
/// Which modules a method adapts, as the reference library spells it: a list of names, each matching a module's full
/// dotted name or a dotted suffix of it ("c_attn" matches "h.0.attn.c_attn", "attn.c_attn" too, "attn" does not match
/// "h.0.attn.c_attn"), or a single regular expression that must match the whole dotted name.
/// </summary>
public sealed class TargetModules : IEquatable<TargetModules>
{
    TargetModules(IReadOnlyList<string>? names, string? pattern)
    {
        Names = names;
        Pattern = pattern;
    }

    /// <summary>The names of a list selector (null for a regex selector).</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>The pattern of a regex selector (null for a list selector).</summary>
    public string? Pattern { get; }

    /// <summary>A list selector: each name matches a full dotted module name or a dotted suffix of one.</summary>
    public static TargetModules Of(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0) throw new ArgumentException("Give at least one target module name, e.g. \"c_attn\" or \"query\".", nameof(names));
        foreach (var n in names)
            if (string.IsNullOrWhiteSpace(n) || n.StartsWith('.') || n.EndsWith('.'))
                throw new ArgumentException($"Target module name '{n}' is empty or starts/ends with a dot; use names like \"c_attn\" or \"attention.self.query\".", nameof(names));
        return new TargetModules([.. names], null);
    }

    /// <summary>A regex selector: <paramref name="pattern"/> must match the whole dotted module name.</summary>
    public static TargetModules Regex(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        try { _ = new Regex(pattern); }
        catch (ArgumentException e) { throw new ArgumentException($"Target module pattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e); }
        return new TargetModules(null, pattern);
    }

    /// <summary>A list of names.</summary>
    public static implicit operator TargetModules(string[] names) => Of(names);

    /// <summary>A single string is a full-match regular expression, as in the reference library.</summary>
    public static implicit operator TargetModules(string pattern) => Regex(pattern);

    /// <summary>Whether <paramref name="moduleName"/> is selected.</summary>
    public bool Matches(string moduleName) => Pattern is not null
        ? System.Text.RegularExpressions.Regex.IsMatch(moduleName, $"^(?:{Pattern})$")
        : Names!.Any(n => MatchesName(moduleName, n));

    static bool MatchesName(string moduleName, string name) =>
        moduleName == name || moduleName.EndsWith("." + name, StringComparison.Ordinal);

    /// <summary>
    /// The candidates this selector picks, in candidate order. Throws <see cref="ArgumentException"/> naming the request
    /// and listing the candidates when nothing matches, or when one name of a list matches nothing (a typo would
    /// otherwise silently adapt fewer modules).
    /// </summary>
    public IReadOnlyList<string> Resolve(IReadOnlyList<string> candidates, string method)
    {
        var picked = candidates.Where(Matches).ToList();
        var unmatched = Names?.Where(n => !candidates.Any(c => MatchesName(c, n))).ToList() ?? [];
        if (picked.Count > 0 && unmatched.Count == 0) return picked;
        var shortNames = candidates.Select(c => c[(c.LastIndexOf('.') + 1)..]).Distinct();
        throw new ArgumentException(
            $"{method}: target modules {this} " +
            (picked.Count == 0 ? "matched no module of this model" : $"contain names that match nothing ({string.Join(", ", unmatched.Select(u => $"'{u}'"))})") +
            $". Candidate modules ({candidates.Count}): {Describe(candidates)}. Short names you can use: {string.Join(", ", shortNames)}. " +
            "A list entry matches a full name or a dotted suffix; a single string is a regular expression over the full name.");
    }

    static string Describe(IReadOnlyList<string> names) =>
        names.Count <= 40 ? string.Join(", ", names) : string.Join(", ", names.Take(40)) + $", ... ({names.Count - 40} more)";

    /// <summary>The selector as written: <c>[a, b]</c> for a list, <c>regex 'p'</c> for a pattern.</summary>
    public override string ToString() => Pattern is not null ? $"regex '{Pattern}'" : $"[{string.Join(", ", Names!)}]";

    /// <inheritdoc/>
    public bool Equals(TargetModules? other) => other is not null && Pattern == other.Pattern &&
        (Names is null ? other.Names is null : other.Names is not null && Names.SequenceEqual(other.Names));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TargetModules);

    /// <inheritdoc/>
    public override int GetHashCode() => Pattern?.GetHashCode() ?? Names!.Aggregate(17, (h, n) => h * 31 + n.GetHashCode());
}
