using System.Text.Json;

namespace PeftKit.Charts;

/// <summary>One trace of a <see cref="Chart"/>: kind ("line", "column", "point"), x (numbers or category names), y.</summary>
internal sealed record ChartTrace(string Kind, object[] X, double[] Y, string? Name, bool Markers, string[]? Labels)
{
    internal bool Categorical => X.Length > 0 && X[0] is string;

    /// <summary>Checks lengths and values: every y finite (JSON has no NaN), as many x and labels as y, at least one point.</summary>
    internal static ChartTrace Create(string kind, object[] x, IEnumerable<double> y, string? name, bool markers, string[]? labels)
    {
        ArgumentNullException.ThrowIfNull(y);
        var ys = y.ToArray();
        var what = $"the {kind} trace{(name is null ? "" : $" '{name}'")}";
        if (ys.Length == 0) throw new ArgumentException($"{what} has no points.");
        if (x.Length != ys.Length) throw new ArgumentException($"{what} has {x.Length} x values but {ys.Length} y values; they must pair up.");
        if (labels is not null && labels.Length != ys.Length) throw new ArgumentException($"{what} has {labels.Length} labels for {ys.Length} points.");
        for (int i = 0; i < ys.Length; i++)
        {
            if (!double.IsFinite(ys[i])) throw new ArgumentException($"{what}: y[{i}] is {ys[i]}; a chart needs finite values (filter NaN and infinities out first).");
            if (x[i] is double d && !double.IsFinite(d)) throw new ArgumentException($"{what}: x[{i}] is {d}; a chart needs finite values.");
        }
        return new ChartTrace(kind, x, ys, name, markers, labels);
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("kind", Kind);
        w.WriteStartArray("x");
        foreach (var v in X)
            if (v is string s) w.WriteStringValue(s); else w.WriteNumberValue((double)v);
        w.WriteEndArray();
        w.WriteStartArray("y");
        foreach (var v in Y) w.WriteNumberValue(v);
        w.WriteEndArray();
        if (Name is not null) w.WriteString("name", Name);
        w.WriteBoolean("markers", Markers);
        if (Labels is not null)
        {
            w.WriteStartArray("labels");
            foreach (var l in Labels) w.WriteStringValue(l);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}

/// <summary>A chart axis: title, log scale, optional range.</summary>
internal sealed record ChartAxis(string? Title, bool Log, double? Min, double? Max)
{
    internal static readonly ChartAxis None = new(null, false, null, null);

    internal void Write(Utf8JsonWriter w, string property)
    {
        w.WriteStartObject(property);
        if (Title is not null) w.WriteString("title", Title);
        w.WriteBoolean("log", Log);
        if (Min is { } min && Max is { } max)
        {
            w.WriteNumber("min", min);
            w.WriteNumber("max", max);
        }
        w.WriteEndObject();
    }
}

/// <summary>A chart's title, axes and size; null = not set.</summary>
internal sealed record ChartLayout(string? Title, ChartAxis? X, ChartAxis? Y, int? Width, int? Height)
{
    /// <summary>This layout with every unset field taken from <paramref name="other"/>.</summary>
    internal ChartLayout OrElse(ChartLayout other) =>
        new(Title ?? other.Title, X ?? other.X, Y ?? other.Y, Width ?? other.Width, Height ?? other.Height);
}
