using System.Buffers.Binary;
using System.Text;

namespace PeftKit.Setup;

/// <summary>
/// Reads (and patches) the symbol-versioning tables of a 64-bit little-endian ELF shared library:
/// which versions it needs from which library (<c>.gnu.version_r</c>) and one symbol bound to each.
/// Written here because no package on this machine's source reads ELF version tables; it is ~100 lines.
/// </summary>
internal sealed class ElfImage
{
    const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    /// <summary>VER_FLG_WEAK: a missing version is a warning, not a load failure.</summary>
    internal const ushort VerFlagWeak = 0x2;

    readonly byte[] _bytes;
    readonly List<VersionNeed> _needs = new();

    /// <summary>One required version: the library it comes from, its name, flags, index and where its flags live.</summary>
    internal sealed record VersionNeed(string File, string Version, ushort Flags, ushort Index, int FlagsOffset, string? SampleSymbol);

    ElfImage(byte[] bytes) { _bytes = bytes; Parse(); }

    internal static ElfImage Read(string path) => new(File.ReadAllBytes(path));

    internal IReadOnlyList<VersionNeed> Needs => _needs;

    /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="version"/> and writes the result.</summary>
    internal void WriteWithWeakVersion(string version, string destination)
    {
        var need = _needs.FirstOrDefault(n => n.Version == version)
            ?? throw new InvalidOperationException($"The ELF file needs no version named {version}.");
        var copy = (byte[])_bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(need.FlagsOffset), (ushort)(need.Flags | VerFlagWeak));
        File.WriteAllBytes(destination, copy);
    }

    void Parse()
    {
        var b = _bytes.AsSpan();
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        var shoff = (int)U64(0x28);
        int shentsize = U16(0x3A), shnum = U16(0x3C);
        var sections = Enumerable.Range(0, shnum).Select(i => shoff + i * shentsize).ToArray();
        int Find(uint type) => Array.FindIndex(sections, s => U32(s + 4) == type);

        int verneed = Find(ShtGnuVerneed), dynsym = Find(ShtDynsym), versym = Find(ShtGnuVersym);
        if (verneed < 0) return; // no versioned requirements at all

        var strtab = (int)U64(sections[(int)U32(sections[verneed] + 40)] + 24); // sh_link → .dynstr offset
        var symbols = SymbolsByVersionIndex(sections, dynsym, versym);

        var entry = (int)U64(sections[verneed] + 24);
        var count = (int)U32(sections[verneed] + 44); // sh_info = number of Verneed entries
        for (var i = 0; i < count; i++)
        {
            var file = Str(strtab + (int)U32(entry + 4));
            var aux = entry + (int)U32(entry + 8);
            for (var j = 0; j < U16(entry + 2); j++)
            {
                var index = (ushort)(U16(aux + 6) & 0x7fff);
                _needs.Add(new VersionNeed(file, Str(strtab + (int)U32(aux + 8)), U16(aux + 4), index, aux + 4,
                    symbols.GetValueOrDefault(index)));
                aux += (int)U32(aux + 12);
            }
            entry += (int)U32(entry + 12);
        }
    }

    /// <summary>One undefined dynamic symbol for each version index (enough to ask the host for it by version).</summary>
    Dictionary<int, string> SymbolsByVersionIndex(int[] sections, int dynsym, int versym)
    {
        var result = new Dictionary<int, string>();
        if (dynsym < 0 || versym < 0) return result;
        var symOff = (int)U64(sections[dynsym] + 24);
        var symCount = (int)(U64(sections[dynsym] + 32) / 24);
        var strtab = (int)U64(sections[(int)U32(sections[dynsym] + 40)] + 24);
        var verOff = (int)U64(sections[versym] + 24);
        for (var i = 1; i < symCount; i++)
        {
            var sym = symOff + i * 24;
            var undefined = U16(sym + 6) == 0;
            var index = U16(verOff + 2 * i) & 0x7fff;
            if (undefined && index > 1 && !result.ContainsKey(index))
                result[index] = Str(strtab + (int)U32(sym));
        }
        return result;
    }

    ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(at));
    uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(at));
    ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(at));

    string Str(int at)
    {
        var end = Array.IndexOf(_bytes, (byte)0, at);
        return Encoding.ASCII.GetString(_bytes, at, end - at);
    }
}
