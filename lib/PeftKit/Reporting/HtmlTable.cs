using System.Net;
using System.Text;

namespace PeftKit.Reporting;

/// <summary>
/// The HTML of a results table, as the experiments, the bench and the notebooks draw them: headers and cells
/// HTML-encoded (a label such as "r=8 &amp; α=16" or "&lt;unk&gt;" shows as written), the first columns left-aligned
/// (text), the rest right-aligned (numbers). Display it in a notebook with <c>display(HTML(HtmlTable.Of(…)))</c>.
/// </summary>
public static class HtmlTable
{
    /// <summary>A table with the given header row and rows.</summary>
    /// <param name="headers">Column names.</param>
    /// <param name="rows">Cells as text, one array per row.</param>
    /// <param name="leftColumns">How many leading columns hold text (left-aligned).</param>
    /// <param name="cssClass">The table's class attribute.</param>
    public static string Of(IEnumerable<string> headers, IEnumerable<IReadOnlyList<string>> rows, int leftColumns = 1, string cssClass = "peftkit-results")
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var s = new StringBuilder($"<table class=\"{WebUtility.HtmlEncode(cssClass)}\"><thead><tr>");
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
