using System.Security.Cryptography;
using System.Text;

namespace PeftKit.Data.Dedup;

/// <summary>Normalised text and stable hashes used by deduplication, splits and overlap checks.</summary>
public static class TextKey
{
    /// <summary>
    /// Lower-cases, keeps letters and digits, turns every other run of characters into one space, trims.
    /// Two texts that differ only in case, punctuation or spacing normalise to the same string.
    /// </summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch))
            {
                if (space && sb.Length > 0) sb.Append(' ');
                sb.Append(char.ToLowerInvariant(ch));
                space = false;
            }
            else space = true;
        }
        return sb.ToString();
    }

    /// <summary>First 8 bytes of SHA-256 over the UTF-8 string, as an unsigned integer (stable across runs and platforms).</summary>
    public static ulong Hash64(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// A deterministic bucket in [0, 1000) for <paramref name="key"/> under <paramref name="seed"/>: the seeded,
    /// RNG-free way the kit assigns splits.
    /// </summary>
    public static int Bucket(int seed, string key) => (int)(Hash64($"{seed}:{key}") % 1000);
}
