using System.Text;

namespace PeftKit.Data.Mail;

/// <summary>
/// A parsed RFC 822 / MIME entity: unfolded headers and the raw body. Bytes are carried as Latin-1 strings (one char
/// per byte, lossless) until a part's charset is known. Hand-written because no MIME package (MimeKit) is held in
/// this machine's package source; it covers what the SpamAssassin corpus uses: multipart (nested), quoted-printable,
/// base64, RFC 2047 encoded words, message/rfc822.
/// </summary>
internal sealed class MimeEntity
{
    readonly List<KeyValuePair<string, string>> _headers;

    MimeEntity(List<KeyValuePair<string, string>> headers, string body)
    {
        _headers = headers;
        Body = body;
    }

    /// <summary>The raw body (Latin-1 string, lines separated by '\n').</summary>
    public string Body { get; }

    /// <summary>Parses raw message bytes (line endings CRLF, CR or LF; a leading mbox "From " line is skipped).</summary>
    public static MimeEntity Parse(byte[] raw) => Parse(Encoding.Latin1.GetString(raw));

    /// <summary>Parses a Latin-1 string holding one entity (headers, blank line, body).</summary>
    public static MimeEntity Parse(string text)
    {
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var headers = new List<KeyValuePair<string, string>>();
        int pos = 0;
        if (text.StartsWith("From ", StringComparison.Ordinal))
            pos = NextLine(text, pos);
        string? name = null;
        var value = new StringBuilder();
        while (pos < text.Length)
        {
            int end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var line = text[pos..end];
            pos = Math.Min(end + 1, text.Length);
            if (line.Length == 0) break; // blank line ends the header block
            if ((line[0] == ' ' || line[0] == '\t') && name is not null)
            {
                value.Append(' ').Append(line.Trim()); // folded continuation line
                continue;
            }
            if (name is not null) headers.Add(new(name, value.ToString().Trim()));
            int colon = line.IndexOf(':');
            if (colon <= 0 || line[..colon].Contains(' '))
            {
                // Not a header line: the message has no blank line after its headers; the body starts here.
                name = null;
                pos -= line.Length + (end < text.Length ? 1 : 0);
                break;
            }
            name = line[..colon];
            value.Clear().Append(line[(colon + 1)..]);
        }
        if (name is not null) headers.Add(new(name, value.ToString().Trim()));
        return new MimeEntity(headers, text[pos..]);
    }

    static int NextLine(string text, int pos)
    {
        int nl = text.IndexOf('\n', pos);
        return nl < 0 ? text.Length : nl + 1;
    }

    /// <summary>The first header named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (k, v) in _headers)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

    /// <summary>Media type in lower case (default <c>text/plain</c>).</summary>
    public string MediaType
    {
        get
        {
            var ct = Header("Content-Type");
            if (ct is null) return "text/plain";
            var type = ct.Split(';', 2)[0].Trim().ToLowerInvariant();
            return type.Contains('/') ? type : "text/plain";
        }
    }

    /// <summary>A parameter of the Content-Type header (e.g. boundary, charset), unquoted, or null.</summary>
    public string? ContentTypeParameter(string parameter) => HeaderParameter(Header("Content-Type"), parameter);

    /// <summary>True when Content-Disposition says attachment.</summary>
    public bool IsAttachment =>
        Header("Content-Disposition")?.TrimStart().StartsWith("attachment", StringComparison.OrdinalIgnoreCase) == true;

    internal static string? HeaderParameter(string? header, string parameter)
    {
        if (header is null) return null;
        foreach (var piece in SplitParameters(header).Skip(1))
        {
            int eq = piece.IndexOf('=');
            if (eq <= 0) continue;
            if (!piece[..eq].Trim().Equals(parameter, StringComparison.OrdinalIgnoreCase)) continue;
            var v = piece[(eq + 1)..].Trim();
            if (v.Length >= 2 && v[0] == '"')
            {
                int close = v.IndexOf('"', 1);
                v = close > 0 ? v[1..close] : v[1..];
            }
            return v;
        }
        return null;
    }

    // Splits "a; b=c; d=\"e;f\"" on semicolons outside quotes.
    static IEnumerable<string> SplitParameters(string header)
    {
        var sb = new StringBuilder();
        bool quoted = false;
        foreach (var c in header)
        {
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted) { yield return sb.ToString(); sb.Clear(); }
            else sb.Append(c);
        }
        yield return sb.ToString();
    }

    /// <summary>The body with its Content-Transfer-Encoding (quoted-printable, base64) undone, as bytes.</summary>
    public byte[] DecodedBodyBytes()
    {
        var cte = Header("Content-Transfer-Encoding")?.Trim().ToLowerInvariant() ?? "";
        if (cte.StartsWith("quoted-printable", StringComparison.Ordinal)) return QuotedPrintable.Decode(Body);
        if (cte.StartsWith("base64", StringComparison.Ordinal)) return Base64Lenient.Decode(Body);
        return Encoding.Latin1.GetBytes(Body);
    }

    /// <summary>Splits a multipart body on its boundary into child entities (preamble and epilogue dropped).</summary>
    public IReadOnlyList<MimeEntity> Parts()
    {
        var boundary = ContentTypeParameter("boundary");
        var parts = new List<MimeEntity>();
        if (string.IsNullOrEmpty(boundary)) return parts;
        var delimiter = "--" + boundary;
        StringBuilder? current = null;
        foreach (var line in Body.Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed == delimiter + "--")
            {
                if (current is not null) parts.Add(Parse(current.ToString()));
                current = null;
                break;
            }
            if (trimmed == delimiter)
            {
                if (current is not null) parts.Add(Parse(current.ToString()));
                current = new StringBuilder();
                continue;
            }
            current?.Append(line).Append('\n');
        }
        if (current is not null) parts.Add(Parse(current.ToString())); // unterminated last part
        return parts;
    }
}
