using System.Text;

namespace PeftKit.Data.Mail;

/// <summary>Maps MIME charset names to .NET encodings (code pages included); unknown names fall back to Latin-1.</summary>
internal static class Charsets
{
    static Charsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes bytes with the named charset; null, empty or unknown names decode as Windows-1252-like Latin-1.</summary>
    public static string Decode(byte[] bytes, string? charset)
    {
        var name = charset?.Trim().Trim('"', '\'').ToLowerInvariant();
        Encoding encoding;
        if (string.IsNullOrEmpty(name) || name is "us-ascii" or "ascii" or "iso-8859-1" or "latin1" or "unknown-8bit" or "x-unknown")
            encoding = Windows1252();
        else
        {
            try { encoding = Encoding.GetEncoding(name); }
            catch (ArgumentException) { encoding = Windows1252(); }
        }
        return encoding.GetString(bytes);
    }

    // Mail labelled us-ascii / iso-8859-1 in this 2002 corpus is very often really Windows-1252 (curly quotes in
    // 0x80–0x9F); decoding with 1252 turns those into the intended characters instead of C1 control codes.
    static Encoding Windows1252() => Encoding.GetEncoding(1252);
}
