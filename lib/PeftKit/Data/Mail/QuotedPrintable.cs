namespace PeftKit.Data.Mail;

/// <summary>Quoted-printable decoding (RFC 2045 §6.7): <c>=XX</c> hex escapes and <c>=</c> soft line breaks.</summary>
internal static class QuotedPrintable
{
    /// <summary>Decodes a Latin-1 string of quoted-printable text into bytes. Malformed escapes are kept literally.</summary>
    public static byte[] Decode(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '=')
            {
                bytes.Add((byte)c);
                continue;
            }
            // Soft line break: '=' followed by optional trailing whitespace and a newline.
            int j = i + 1;
            while (j < text.Length && (text[j] == ' ' || text[j] == '\t')) j++;
            if (j >= text.Length) { i = j; continue; }
            if (text[j] == '\n') { i = j; continue; }
            if (i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(text.Substring(i + 1, 2), 16));
                i += 2;
                continue;
            }
            bytes.Add((byte)'=');
        }
        return [.. bytes];
    }

    static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';
}
