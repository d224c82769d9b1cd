using System.Net;
using System.Text;

namespace PeftKit.Experiments;

/// <summary>The HTML of the results tables: headers and cells encoded, the first columns left-aligned (text), the rest
/// right-aligned (numbers).</summary>
internal static class HtmlTable
{
    internal static string Of(string cssClass, IEnumerable<string> headers, IEnumerable<IReadOnlyList<string>> rows, int leftColumns)
    {
        var s = new StringBuilder($"<table class=\"{cssClass}\"><thead><tr>");
        foreach (var h in headers) s.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        s.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            s.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
                s.Append(i < leftColumns ? "<td style=\"text-align:left\">" : "<td style=\"text-align:right\">").Append(WebUtility.HtmlEncode(row[i])).Append("</td>");
            s.Append("</tr>");
        }
        return s.Append("</tbody></table>").ToString();
    }
}
