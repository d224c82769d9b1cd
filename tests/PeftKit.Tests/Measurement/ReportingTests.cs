using PeftKit.Reporting;

namespace PeftKit.Tests.Measurement;

public sealed class ReportingTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(512, "512 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.00 KiB")]
    [InlineData(1_433_600, "1.37 MiB")]
    [InlineData(17_102_926, "16.3 MiB")]
    [InlineData(497_664_000, "475 MiB")]
    [InlineData(1_048_575.0 * 1024, "1.00 GiB")]        // 1023.999 MiB rounds to 1024: shown in the next unit
    [InlineData(-2048, "-2.00 KiB")]
    public void ByteSizesUseBinaryUnitsAndThreeSignificantDigits(double bytes, string text) =>
        Assert.Equal(text, ByteSize.Format(bytes));

    [Fact]
    public void HtmlTablesEncodeWhatTheyShowAndAlignNumbersRight()
    {
        var html = HtmlTable.Of(["run", "acc"], [["r=8 & <unk>", "0.825"]]);
        Assert.Equal("<table class=\"peftkit-results\"><thead><tr><th>run</th><th>acc</th></tr></thead><tbody><tr>" +
            "<td style=\"text-align:left\">r=8 &amp; &lt;unk&gt;</td><td style=\"text-align:right\">0.825</td></tr></tbody></table>", html);
    }
}
