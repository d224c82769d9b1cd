using System.Text;
using PeftKit.Data.Mail;
using PeftKit.Data.Sources;

namespace PeftKit.Tests.Data;

/// <summary>
/// MIME decoding on real corpus messages. Expected texts were read off the raw files and cross-checked with Python's
/// `email` package (policy.default, get_body/get_content), an independent decoder.
/// </summary>
[Collection(DataBuildCollection.Name)]
public sealed class MimeDecodingTests(DataBuildFixture build)
{
    byte[] Raw(string prefix) =>
        TarGz.ReadFiles(build.Tarballs[NpmPackage.SpamAssassin]).Single(kv => kv.Key.StartsWith("data/" + prefix, StringComparison.Ordinal) && kv.Key.EndsWith(".txt", StringComparison.Ordinal)).Value;

    [Fact]
    public void MultipartAlternativeTakesThePlainPartAndUndoesQuotedPrintable()
    {
        // easy-ham-1/00062: multipart/alternative, text/plain + text/html, both quoted-printable Windows-1252,
        // with a mailing-list line in the MIME preamble.
        var text = EmailText.Body(Raw("easy-ham-1/00062."));
        Assert.StartsWith("I'm using Simple DNS from JHSoft. We support only a few web sites and I'd like to swap secondary services with someone in a similar position.\n\nWe have a static IP,", text);
        Assert.EndsWith("Winter Park FL 32792\n(407) 679-1539", text);
        Assert.DoesNotContain("Ironclad", text);  // preamble dropped
        Assert.DoesNotContain("<DIV>", text);     // html alternative not used
        Assert.DoesNotContain("=\n", text);       // soft line breaks joined
        Assert.DoesNotContain("Content-Type", text);
    }

    [Fact]
    public void Base64PlainPartInsideMultipartRelatedIsDecodedAndImagesSkipped()
    {
        // hard-ham-1/00240: multipart/related > multipart/alternative > text/plain (base64) + text/html + 20 images.
        var text = EmailText.Body(Raw("hard-ham-1/00240."));
        Assert.StartsWith("SUBSCRIPTION INFORMATION\n****\nYou have received this e-mail because you are an EDC registrant or you previously requested information from Espial. If you wish", text);
        Assert.DoesNotContain("R0lGOD", text); // base64 of "GIF8…" never leaks through
    }

    [Fact]
    public void HeadersAreStrippedAndSubjectDecoded()
    {
        var message = MimeEntity.Parse(Raw("easy-ham-1/00001."));
        Assert.Equal("Re: New Sequences Window", EmailText.Subject(message));
        var body = EmailText.Body(message);
        Assert.DoesNotContain("Received:", body);
        Assert.DoesNotContain("Return-Path", body);
        Assert.StartsWith("Date: Wed, 21 Aug 2002 10:54:46 -0500", body); // the quoted message in the body is kept
    }

    [Fact]
    public void QuotedPrintableFollowsRfc2045()
    {
        Assert.Equal("caf\u00e9 = ok\tend", Encoding.Latin1.GetString(QuotedPrintable.Decode("caf=E9 =3D ok=09=\nend")));
        Assert.Equal("a=zz", Encoding.Latin1.GetString(QuotedPrintable.Decode("a=zz")));  // malformed escape kept
        Assert.Equal("line", Encoding.Latin1.GetString(QuotedPrintable.Decode("li=  \nne")));  // soft break with trailing spaces
    }

    [Fact]
    public void EncodedWordsDecodeBAndQ()
    {
        // RFC 2047 §6.2: whitespace between two adjacent encoded words is not displayed.
        Assert.Equal("Caféünïcode", EncodedWords.Decode("=?utf-8?B?Q2Fmw6k=?= =?iso-8859-1?Q?=FCn=EFcode?="));
        Assert.Equal("Café ok", EncodedWords.Decode("=?utf-8?B?Q2Fmw6k=?= ok"));
        Assert.Equal("Hello world", EncodedWords.Decode("=?us-ascii?Q?Hello_world?="));
    }

    [Fact]
    public void HtmlIsReducedToText()
    {
        var text = EmailText.Tidy(HtmlText.ToText("<html><head><title>T</title><style>p{}</style></head><body><p>One &amp; two</p><script>x()</script><div>Three<br>Four&nbsp;five</div><!-- hidden --></body></html>"));
        Assert.Equal("One & two\n\nThree\nFour five", text);
    }
}
