using System.Globalization;
using System.Net;
using System.Text;
using PeftKit.Quantization;
using static TorchSharp.torch.nn;

namespace PeftKit;

/// <summary>Trainable versus all parameters of a model (adapter parameters included), with a per-module table.</summary>
/// <param name="Trainable">Elements of parameters with requires_grad.</param>
/// <param name="Total">Elements of all parameters, and the weights of quantised layers (codes stand for out·in weights each).</param>
/// <param name="Rows">One row per module that owns parameters, in named_parameters() order.</param>
public sealed record ParameterReport(long Trainable, long Total, IReadOnlyList<ParameterReportRow> Rows)
{
    /// <summary>100 · trainable / all.</summary>
    public double TrainablePercent => Total == 0 ? 0 : 100.0 * Trainable / Total;

    /// <summary>Counts every parameter of <paramref name="model"/>.</summary>
    public static ParameterReport Of(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = new List<ParameterReportRow>();
        long trainable = 0, total = 0;
        // A quantised layer's weight is codes, not a Parameter, but it is still out·in frozen weights of the model (the
        // reference library counts a 4-bit weight's numbers too): counted with the layer's bias, or on its own row.
        var quantised = model.named_modules().Where(m => m.module is QuantizedLinear)
            .ToDictionary(m => m.name, m => ((QuantizedLinear)m.module).Weight);
        foreach (var group in model.named_parameters().GroupBy(p => p.name.Contains('.') ? p.name[..p.name.LastIndexOf('.')] : ""))
        {
            long n = 0, t = 0;
            var shapes = new List<string>();
            if (quantised.Remove(group.Key, out var weight))
            {
                n += weight.OutFeatures * weight.InFeatures;
                shapes.Add(QuantisedShape(weight));
            }
            foreach (var (name, p) in group)
            {
                n += p.numel();
                if (p.requires_grad) t += p.numel();
                shapes.Add($"{name[(name.LastIndexOf('.') + 1)..]}[{string.Join(", ", p.shape)}]");
            }
            rows.Add(new ParameterReportRow(group.Key, n, t, string.Join(" ", shapes)));
            total += n;
            trainable += t;
        }
        foreach (var (name, weight) in quantised)                                     // quantised layers without a bias
        {
            rows.Add(new ParameterReportRow(name, weight.OutFeatures * weight.InFeatures, 0, QuantisedShape(weight)));
            total += weight.OutFeatures * weight.InFeatures;
        }
        return new ParameterReport(trainable, total, rows);
    }

    static string QuantisedShape(QuantizedWeight w) => $"weight[{w.OutFeatures}, {w.InFeatures}] ({(w is Nf4Weight ? "NF4" : "int8")})";

    /// <summary>The reference library's line: <c>trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364</c>.</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "trainable params: {0:N0} || all params: {1:N0} || trainable%: {2:F4}", Trainable, Total, TrainablePercent);

    /// <summary>An HTML table (module, parameters, trainable, shapes) with trainable rows highlighted, and the summary line.</summary>
    public string ToHtml(bool trainableOnly = false)
    {
        var s = new StringBuilder();
        s.Append("<div class=\"peftkit-params\"><p><code>").Append(WebUtility.HtmlEncode(ToString())).Append("</code></p>");
        s.Append("<table><thead><tr><th style=\"text-align:left\">module</th><th style=\"text-align:right\">parameters</th>")
         .Append("<th style=\"text-align:right\">trainable</th><th style=\"text-align:left\">tensors</th></tr></thead><tbody>");
        foreach (var r in Rows.Where(r => !trainableOnly || r.Trainable > 0))
        {
            s.Append(r.Trainable > 0 ? "<tr style=\"background:#e6f4ea\">" : "<tr>")
             .Append("<td><code>").Append(WebUtility.HtmlEncode(r.Module)).Append("</code></td>")
             .Append("<td style=\"text-align:right\">").Append(r.Parameters.ToString("N0", CultureInfo.InvariantCulture)).Append("</td>")
             .Append("<td style=\"text-align:right\">").Append(r.Trainable.ToString("N0", CultureInfo.InvariantCulture)).Append("</td>")
             .Append("<td><code>").Append(WebUtility.HtmlEncode(r.Shapes)).Append("</code></td></tr>");
        }
        return s.Append("</tbody></table></div>").ToString();
    }
}
