using System.Text.RegularExpressions;

namespace PeftKit.Data.Tasks;

/// <summary>
/// T3 targets: a subject line with reply/forward markers and mailing-list tags removed. Repeatedly strips a leading
/// <c>Re:</c>, <c>Fw:</c>, <c>Fwd:</c> (any case, optional <c>[n]</c> counter) and a leading <c>[tag]</c>.
/// </summary>
public static partial class SubjectLine
{
    [GeneratedRegex(@"^\s*((re|fw|fwd|aw)(\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)", RegexOptions.IgnoreCase)]
    private static partial Regex Prefix();

    /// <summary>Subjects longer than this many characters are not used as targets.</summary>
    public const int MaxChars = 120;

    /// <summary>The subject without reply markers and list tags, whitespace collapsed.</summary>
    public static string Clean(string subject)
    {
        var s = Regex.Replace(subject, @"\s+", " ").Trim();
        while (true)
        {
            var stripped = Prefix().Replace(s, "", 1);
            if (stripped == s) return s.Trim();
            s = stripped;
        }
    }

    /// <summary>The key that groups one thread's messages for splitting: the cleaned subject, normalised.</summary>
    public static string ThreadKey(string subject) => Dedup.TextKey.Normalize(Clean(subject));
}
