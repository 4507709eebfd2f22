using System.Buffers.Binary;
using System.Text;

namespace AlignLab.Models.Runtime;

/// <summary>
/// Edits the symbol-version needs (<c>.gnu.version_r</c>, <c>SHT_GNU_verneed</c>) of a 64-bit little-endian ELF shared
/// library: <see cref="MarkWeak"/> sets <c>VER_FLG_WEAK</c> on one needed version, so the dynamic loader only warns
/// when the system library lacks it instead of refusing to load the file. Used by <see cref="TorchSharpNativeFix"/>
/// on TorchSharp's <c>libLibTorchSharp.so</c> (see docs/engine.md, "TorchSharp on Debian 12").
/// </summary>
public static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> (0x2) in <c>vna_flags</c> of every <c>Vernaux</c> entry named
    /// <paramref name="versionName"/> in <paramref name="elf"/>, in place. Returns <see cref="ElfPatchResult.Patched"/>
    /// when a flag changed, <see cref="ElfPatchResult.AlreadyWeak"/> when every such need was weak already, and
    /// <see cref="ElfPatchResult.NotNeeded"/> when the file has no need of that version. Throws
    /// <see cref="InvalidDataException"/> for a file that is not a well-formed 64-bit little-endian ELF file.
    /// </summary>
    public static ElfPatchResult MarkWeak(Span<byte> elf, string versionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file.");
        long sectionTable = ReadInt64(elf, 0x28);
        int sectionSize = ReadUInt16(elf, 0x3A);
        int sectionCount = ReadUInt16(elf, 0x3C);
        bool found = false, patched = false;
        for (int s = 0; s < sectionCount; s++)
        {
            long section = sectionTable + (long)s * sectionSize;
            if (ReadUInt32(elf, section + 4) != ShtGnuVerneed) continue;
            long need = ReadInt64(elf, section + 24);                        // sh_offset
            long link = ReadUInt32(elf, section + 40);                       // sh_link: the string table section
            long needCount = ReadUInt32(elf, section + 44);                  // sh_info: number of Verneed entries
            long strings = ReadInt64(elf, sectionTable + link * sectionSize + 24);
            for (long i = 0; i < needCount; i++)
            {
                int auxCount = ReadUInt16(elf, need + 2);                    // vn_cnt
                long aux = need + ReadUInt32(elf, need + 8);                 // vn_aux
                for (int j = 0; j < auxCount; j++)
                {
                    if (ReadString(elf, strings + ReadUInt32(elf, aux + 8)) == versionName)   // vna_name
                    {
                        found = true;
                        ushort flags = ReadUInt16(elf, aux + 4);             // vna_flags
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(elf[checked((int)(aux + 4))..], (ushort)(flags | VerFlgWeak));
                            patched = true;
                        }
                    }
                    aux += ReadUInt32(elf, aux + 12);                        // vna_next
                }
                need += ReadUInt32(elf, need + 12);                          // vn_next
            }
        }
        return patched ? ElfPatchResult.Patched : found ? ElfPatchResult.AlreadyWeak : ElfPatchResult.NotNeeded;
    }

    private static ReadOnlySpan<byte> At(ReadOnlySpan<byte> elf, long offset, int length) =>
        offset >= 0 && offset + length <= elf.Length
            ? elf.Slice((int)offset, length)
            : throw new InvalidDataException($"ELF structure points outside the file (offset {offset}).");

    private static ushort ReadUInt16(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt16LittleEndian(At(elf, offset, 2));

    private static uint ReadUInt32(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt32LittleEndian(At(elf, offset, 4));

    private static long ReadInt64(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadInt64LittleEndian(At(elf, offset, 8));

    private static string ReadString(ReadOnlySpan<byte> elf, long offset)
    {
        At(elf, offset, 1);
        var rest = elf[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"unterminated ELF string at offset {offset}.");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
