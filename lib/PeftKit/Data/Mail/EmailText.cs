using System.Text;
using System.Text.RegularExpressions;

namespace PeftKit.Data.Mail;

/// <summary>
/// Turns a raw email into the text a model sees: the body only (headers stripped), MIME decoded (multipart
/// recursed; in multipart/alternative the text/plain part is preferred, else the HTML part; other text/plain and
/// text/html parts are concatenated; attachments and non-text parts skipped), quoted-printable/base64 undone, the
/// declared charset applied, HTML reduced to text, whitespace tidied.
/// </summary>
internal static partial class EmailText
{
    [GeneratedRegex(@"[ \t\f\v\u00a0]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex ManyNewlines();

    /// <summary>The cleaned body text of a raw message.</summary>
    public static string Body(byte[] raw) => Body(MimeEntity.Parse(raw));

    /// <summary>The cleaned body text of a parsed message.</summary>
    public static string Body(MimeEntity message) => Tidy(Extract(message, depth: 0));

    /// <summary>The decoded Subject header (RFC 2047), whitespace collapsed; empty when absent.</summary>
    public static string Subject(MimeEntity message) =>
        Spaces().Replace(EncodedWords.Decode(message.Header("Subject") ?? "").Replace('\n', ' '), " ").Trim();

    static string Extract(MimeEntity entity, int depth)
    {
        if (depth > 8) return "";
        var type = entity.MediaType;
        if (type.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var parts = entity.Parts();
            if (parts.Count == 0) return LeafText(entity, "text/plain"); // broken multipart: treat as text
            if (type == "multipart/alternative")
            {
                var chosen = parts.FirstOrDefault(p => p.MediaType == "text/plain" && !p.IsAttachment)
                             ?? parts.FirstOrDefault(p => p.MediaType == "text/html" && !p.IsAttachment)
                             ?? parts.FirstOrDefault(p => p.MediaType.StartsWith("multipart/", StringComparison.Ordinal));
                return chosen is null ? "" : Extract(chosen, depth + 1);
            }
            var sb = new StringBuilder();
            foreach (var part in parts)
            {
                if (part.IsAttachment) continue;
                var text = Extract(part, depth + 1);
                if (text.Trim().Length == 0) continue;
                if (sb.Length > 0) sb.Append("\n\n");
                sb.Append(text);
            }
            return sb.ToString();
        }
        if (type == "message/rfc822")
            return Extract(MimeEntity.Parse(entity.Body), depth + 1);
        if (type is "text/plain" or "text/html" or "text/enriched")
            return LeafText(entity, type);
        return "";
    }

    static string LeafText(MimeEntity entity, string type)
    {
        var text = Charsets.Decode(entity.DecodedBodyBytes(), entity.ContentTypeParameter("charset"));
        if (type == "text/html" || HtmlText.IsProbablyHtml(text)) text = HtmlText.ToText(text);
        return text;
    }

    /// <summary>Normalises line endings and spaces: trims lines, collapses runs of blank lines to one, trims the text.</summary>
    public static string Tidy(string text)
    {
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var sb = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            var clean = new string(line.Where(c => !char.IsControl(c) || c == '\t').ToArray());
            sb.Append(Spaces().Replace(clean, " ").Trim()).Append('\n');
        }
        return ManyNewlines().Replace(sb.ToString(), "\n\n").Trim();
    }
}
