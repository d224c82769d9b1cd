using System.Net;
using System.Text.RegularExpressions;

namespace PeftKit.Data.Mail;

/// <summary>
/// Reduces HTML to readable text: drops head/script/style/comments, turns block tags into line breaks, removes the
/// remaining tags and decodes entities. A deliberately small converter for mail bodies (no HTML package here).
/// </summary>
internal static partial class HtmlText
{
    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"<(head|script|style|title)\b[^>]*>.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<\s*(br|p|div|tr|li|h[1-6]|table|blockquote|hr|ul|ol|center)\b[^>]*>|<\s*/\s*(p|div|tr|li|h[1-6]|table|blockquote|ul|ol|center)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTags();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"<\s*(html|body|!doctype|table|font|p|div|br|a\s)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeHtml();

    /// <summary>True when text declared text/plain is really HTML (an html/body/table/font/… tag in its first 2,000 chars).</summary>
    public static bool IsProbablyHtml(string text) => LooksLikeHtml().IsMatch(text.Length > 2000 ? text[..2000] : text);

    /// <summary>Converts an HTML document or fragment to text with one line per block.</summary>
    public static string ToText(string html)
    {
        var s = Comments().Replace(html, " ");
        s = Invisible().Replace(s, " ");
        s = s.Replace('\n', ' ');
        s = BlockTags().Replace(s, "\n");
        s = AnyTag().Replace(s, " ");
        s = WebUtility.HtmlDecode(s).Replace('\u00a0', ' ');
        return s;
    }
}
