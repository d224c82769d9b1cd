using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PeftKit.Notebooks.Export;

/// <summary>Simple C# syntax colouring for exported pages: comments, strings, numbers, keywords, directives.</summary>
internal static partial class CSharpHighlighter
{
    [GeneratedRegex("""(?<comment>//[^\n]*|/\*.*?\*/)|(?<string>@?\$?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)')|(?<directive>^\s*#[!a-z]+[^\n]*)|(?<number>\b\d+(?:\.\d+)?[fdmLu]?\b)|(?<keyword>\b(?:abstract|as|async|await|base|bool|break|byte|case|catch|char|class|const|continue|decimal|default|do|double|else|enum|false|finally|float|for|foreach|if|in|int|interface|internal|is|long|namespace|new|null|object|out|override|private|protected|public|readonly|record|ref|return|sealed|static|string|struct|switch|this|throw|true|try|typeof|uint|ulong|using|var|virtual|void|while|yield)\b)""", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Tokens();

    public static string ToHtml(string code)
    {
        var sb = new StringBuilder();
        int last = 0;
        foreach (Match m in Tokens().Matches(code))
        {
            sb.Append(WebUtility.HtmlEncode(code[last..m.Index]));
            var kind = new[] { "comment", "string", "directive", "number", "keyword" }.First(k => m.Groups[k].Success);
            sb.Append($"<span class=\"tok-{kind}\">{WebUtility.HtmlEncode(m.Value)}</span>");
            last = m.Index + m.Length;
        }
        return sb.Append(WebUtility.HtmlEncode(code[last..])).ToString();
    }
}
