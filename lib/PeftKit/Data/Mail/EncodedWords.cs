using System.Text;
using System.Text.RegularExpressions;

namespace PeftKit.Data.Mail;

/// <summary>RFC 2047 encoded words in headers: <c>=?charset?B?…?=</c> and <c>=?charset?Q?…?=</c>.</summary>
internal static partial class EncodedWords
{
    [GeneratedRegex(@"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")]
    private static partial Regex Word();

    [GeneratedRegex(@"(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)")]
    private static partial Regex SpaceBetweenWords();

    /// <summary>
    /// Decodes every encoded word in a (Latin-1) header value; whitespace between adjacent words is dropped and raw
    /// 8-bit bytes outside encoded words are read as Windows-1252, like unlabelled bodies.
    /// </summary>
    public static string Decode(string header)
    {
        var joined = SpaceBetweenWords().Replace(header, "$1");
        var sb = new StringBuilder();
        int pos = 0;
        foreach (Match m in Word().Matches(joined))
        {
            sb.Append(Charsets.Decode(Encoding.Latin1.GetBytes(joined[pos..m.Index]), null));
            var charset = m.Groups[1].Value.Split('*')[0];
            var payload = m.Groups[3].Value;
            byte[] bytes = char.ToUpperInvariant(m.Groups[2].Value[0]) == 'B'
                ? Base64Lenient.Decode(payload)
                : QuotedPrintable.Decode(payload.Replace('_', ' '));
            sb.Append(Charsets.Decode(bytes, charset));
            pos = m.Index + m.Length;
        }
        sb.Append(Charsets.Decode(Encoding.Latin1.GetBytes(joined[pos..]), null));
        return sb.ToString();
    }
}
