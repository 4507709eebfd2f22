using System.Buffers.Binary;
using System.Text;

namespace AlignLab.Tests;

/// <summary>
/// Reads TensorBoard event files without TorchSharp or protobuf libraries, so the files AlignLab writes are checked
/// against the format itself: TFRecord framing (uint64 length, masked CRC32C of the length, data, masked CRC32C of the
/// data; both CRCs verified) around <c>tensorflow.Event</c> protobufs (1 wall_time double, 2 step int64, 3 file_version
/// string, 5 summary {1 value: {1 tag string, 2 simple_value float}}).
/// </summary>
internal static class TensorBoardEvents
{
    /// <summary>One scalar of an event file.</summary>
    public sealed record Scalar(long Step, string Tag, float Value, double WallTime);

    /// <summary>The scalars of every <c>events.out.tfevents.*</c> file of <paramref name="folder"/>, files in name order (TensorBoard's).</summary>
    public static IReadOnlyList<Scalar> ReadFolder(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "events.out.tfevents.*").Order(StringComparer.Ordinal).SelectMany(ReadFile).ToList()
            : [];

    /// <summary>The scalars of one event file; throws on a bad CRC, a torn record or a file not starting with its version event.</summary>
    public static IReadOnlyList<Scalar> ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<Scalar>();
        int at = 0, index = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: torn record header at byte {at}.");
            var header = bytes.AsSpan(at, 8);
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)) != MaskedCrc32C(header))
                throw new InvalidDataException($"{path}: bad length CRC of record {index}.");
            at += 12;
            if ((ulong)(bytes.Length - at) < length + 4) throw new InvalidDataException($"{path}: torn record {index}.");
            var data = bytes.AsSpan(at, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length, 4)) != MaskedCrc32C(data))
                throw new InvalidDataException($"{path}: bad data CRC of record {index}.");
            at += (int)length + 4;

            var (wallTime, step, fileVersion, summary) = ReadEvent(data.ToArray());
            if (index == 0 && fileVersion != "brain.Event:2") throw new InvalidDataException($"{path}: the first event is not the file version (got '{fileVersion}').");
            foreach (var (tag, value) in summary) scalars.Add(new Scalar(step, tag, value, wallTime));
            index++;
        }
        return scalars;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of <paramref name="data"/>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TFRecord's masked CRC: rotate right by 15 and add 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static (double WallTime, long Step, string? FileVersion, List<(string Tag, float Value)> Summary) ReadEvent(byte[] data)
    {
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        var summary = new List<(string, float)>();
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            switch (field, wire)
            {
                case (1, 1): wallTime = BitConverter.Int64BitsToDouble((long)value); break;
                case (2, 0): step = (long)value; break;
                case (3, 2): fileVersion = Encoding.UTF8.GetString(bytes!); break;
                case (5, 2):
                    foreach (var (f, w, _, entry) in Fields(bytes!))
                        if ((f, w) == (1, 2)) summary.Add(ReadValue(entry!));
                    break;
            }
        }
        return (wallTime, step, fileVersion, summary);
    }

    private static (string Tag, float Value) ReadValue(byte[] data)
    {
        string? tag = null;
        float? value = null;
        foreach (var (field, wire, raw, bytes) in Fields(data))
        {
            if ((field, wire) == (1, 2)) tag = Encoding.UTF8.GetString(bytes!);
            else if ((field, wire) == (2, 5)) value = BitConverter.Int32BitsToSingle((int)raw);
        }
        return (tag ?? throw new InvalidDataException("a summary value has no tag."), value ?? throw new InvalidDataException($"summary value '{tag}' has no simple_value."));
    }

    /// <summary>The protobuf fields of a message: (number, wire type, varint/fixed value, length-delimited bytes).</summary>
    private static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        var at = 0;
        while (at < data.Length)
        {
            var key = Varint(data, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(data, ref at), null); break;
                case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at, 8)), null); at += 8; break;
                case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at, 4)), null); at += 4; break;
                case 2:
                    var length = (int)Varint(data, ref at);
                    yield return (field, wire, 0, data.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire} (field {field}).");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
