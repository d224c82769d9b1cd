using System.Formats.Tar;
using System.IO.Compression;

namespace PeftKit.Data.Sources;

/// <summary>Reads the regular files of a <c>.tgz</c> (gzip + tar, as npm packs them) into memory.</summary>
public static class TarGz
{
    /// <summary>
    /// Returns every regular file in the archive, keyed by its path with the leading <c>package/</c> removed,
    /// in ordinal key order.
    /// </summary>
    public static SortedDictionary<string, byte[]> ReadFiles(byte[] tgz)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        using var gzip = new GZipStream(new MemoryStream(tgz), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                continue;
            var name = entry.Name.StartsWith("package/", StringComparison.Ordinal) ? entry.Name["package/".Length..] : entry.Name;
            using var ms = new MemoryStream();
            entry.DataStream.CopyTo(ms);
            files[name] = ms.ToArray();
        }
        return files;
    }
}
