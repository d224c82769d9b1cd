namespace PeftKit.Data.Mail;

/// <summary>Base64 decoding that skips characters outside the alphabet and stops at padding, as mail readers do.</summary>
internal static class Base64Lenient
{
    /// <summary>Decodes base64 text, ignoring whitespace and stray characters; a trailing partial group is dropped.</summary>
    public static byte[] Decode(string text)
    {
        var clean = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '=') break;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/') clean.Append(c);
        }
        int usable = clean.Length - clean.Length % 4;
        var rest = clean.Length % 4;
        var s = clean.ToString(0, usable);
        // A final group of 2 or 3 characters still carries 1 or 2 bytes: pad it.
        if (rest >= 2) s += clean.ToString(usable, rest) + new string('=', 4 - rest);
        return Convert.FromBase64String(s);
    }
}
