using System.Reflection;
using System.Text.RegularExpressions;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// KaTeX (its version is pinned in Directory.Packages.props; the build embeds its dist files) as one inline block for an
/// HTML page: the stylesheet with every font as a woff2 data URI, the script, and a call that typesets each element
/// Markdig's math extension wrote (<c>&lt;span class="math"&gt;\(…\)&lt;/span&gt;</c>, <c>&lt;div class="math"&gt;\[…\]&lt;/div&gt;</c>).
/// The page needs no network and no other file.
/// </summary>
internal static partial class Katex
{
    static readonly Lazy<string> Block = new(Build);

    /// <summary>True when Markdig wrote math into <paramref name="html"/>.</summary>
    public static bool HasMath(string html) => html.Contains("class=\"math\"", StringComparison.Ordinal);

    /// <summary>The &lt;style&gt; and &lt;script&gt; elements to put at the end of the page's body.</summary>
    public static string PageBlock => Block.Value;

    static string Build()
    {
        // Each @font-face lists woff2, woff and ttf; every browser KaTeX supports reads woff2, so only it is kept, inline.
        var css = FontSource().Replace(Resource("katex/katex.min.css"), m =>
            $"src:url(data:font/woff2;base64,{Convert.ToBase64String(Bytes($"katex/fonts/{m.Groups["font"].Value}.woff2"))}) format(\"woff2\")");
        var js = Resource("katex/katex.min.js").Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
        return $$"""
            <style>{{css}}</style>
            <script>{{js}}</script>
            <script>
            document.querySelectorAll('.math').forEach(function (el) {
              // Inline math comes wrapped in \( \), display math in \[ \] (or a div); KaTeX wants the bare TeX.
              var tex = el.textContent.trim(), display = el.tagName === 'DIV' || tex.indexOf('\\[') === 0;
              if (/^\\[(\[]/.test(tex) && /\\[)\]]$/.test(tex)) tex = tex.slice(2, -2);
              katex.render(tex, el, { displayMode: display, throwOnError: false });
            });
            </script>
            """;
    }

    static string Resource(string name)
    {
        using var reader = new StreamReader(Stream(name));
        return reader.ReadToEnd();
    }

    static byte[] Bytes(string name)
    {
        using var stream = Stream(name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    static Stream Stream(string name) => typeof(Katex).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"KaTeX's {name} is not embedded in {typeof(Katex).Assembly.GetName().Name}; rebuild it (the build fetches KaTeX from the npm registry).");

    [GeneratedRegex(@"src:url\(fonts/(?<font>[A-Za-z0-9_-]+)\.woff2\)[^;}]*")]
    private static partial Regex FontSource();
}
