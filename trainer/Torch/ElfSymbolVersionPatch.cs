using System.Buffers.Binary;
using System.Text;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// Edits a few bytes of an ELF64 shared library so that one imported symbol no longer needs a newer libstdc++
/// (see ../shared/notes/torchsharp-on-debian12.md): the symbol is made unversioned (<c>.gnu.version</c> entry 1) and
/// renamed in <c>.dynstr</c> to a harmless existing function of no greater length, and the version requirement is
/// marked weak in <c>.gnu.version_r</c> (VER_FLG_WEAK), so the loader stops refusing the library.
/// </summary>
public static class ElfSymbolVersionPatch
{
    private const ushort VerFlagWeak = 0x2;

    public sealed record Result(bool SymbolPatched, bool RequirementWeakened);

    public static Result Apply(byte[] elf, string symbol, string replacement, string versionRequirement)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        if (Encoding.ASCII.GetByteCount(replacement) > Encoding.ASCII.GetByteCount(symbol))
            throw new ArgumentException("the replacement name must not be longer than the symbol", nameof(replacement));
        var sections = Sections(elf);
        var dynsym = sections.Single(s => s.Name == ".dynsym");
        var dynstr = sections.Single(s => s.Name == ".dynstr");
        var versym = sections.Single(s => s.Name == ".gnu.version");
        var verneed = sections.Single(s => s.Name == ".gnu.version_r");

        bool symbolPatched = false;
        int count = (int)(dynsym.Size / 24);
        for (int i = 0; i < count; i++)
        {
            var entry = (int)dynsym.Offset + i * 24;
            var nameOffset = (int)dynstr.Offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(entry));
            if (CString(elf, nameOffset) != symbol) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan((int)versym.Offset + i * 2), 1); // VER_NDX_GLOBAL: unversioned
            var bytes = new byte[Encoding.ASCII.GetByteCount(symbol)];
            Encoding.ASCII.GetBytes(replacement, bytes);
            bytes.CopyTo(elf, nameOffset);
            symbolPatched = true;
        }

        bool weakened = false;
        int need = (int)verneed.Offset;
        while (true)
        {
            var cnt = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(need + 2));
            var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 8));
            for (int a = 0; a < cnt; a++)
            {
                var name = CString(elf, (int)dynstr.Offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 8)));
                if (name == versionRequirement)
                {
                    var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(aux + 4));
                    BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(aux + 4), (ushort)(flags | VerFlagWeak));
                    weakened = true;
                }
                var nextAux = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 12));
                if (nextAux == 0) break;
                aux += (int)nextAux;
            }
            var next = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 12));
            if (next == 0) break;
            need += (int)next;
        }
        return new Result(symbolPatched, weakened);
    }

    /// <summary>Whether the file still imports <paramref name="symbol"/> (used to tell patched copies apart).</summary>
    public static bool Imports(byte[] elf, string symbol)
    {
        var sections = Sections(elf);
        var dynsym = sections.Single(s => s.Name == ".dynsym");
        var dynstr = sections.Single(s => s.Name == ".dynstr");
        for (int i = 0; i < (int)(dynsym.Size / 24); i++)
            if (CString(elf, (int)dynstr.Offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan((int)dynsym.Offset + i * 24))) == symbol)
                return true;
        return false;
    }

    private sealed record Section(string Name, long Offset, long Size);

    private static List<Section> Sections(byte[] elf)
    {
        var shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        var shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3E));
        (uint Name, long Offset, long Size) Header(int i)
        {
            var h = (int)(shoff + i * shentsize);
            return (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(h)), (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(h + 0x18)),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(h + 0x20)));
        }
        var names = Header(shstrndx);
        return Enumerable.Range(0, shnum).Select(i => Header(i))
            .Select(h => new Section(CString(elf, (int)(names.Offset + h.Name)), h.Offset, h.Size)).ToList();
    }

    private static string CString(byte[] data, int offset)
    {
        int end = offset;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, offset, end - offset);
    }
}
