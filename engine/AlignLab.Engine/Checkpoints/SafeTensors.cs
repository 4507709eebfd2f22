using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors), so checkpoints can be read by
/// other tools: an 8-byte little-endian header length N, an N-byte JSON header mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the data section) plus an optional
/// <c>"__metadata__"</c> string-to-string map, then the raw little-endian tensor bytes, contiguous and in header order.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    // Header lengths above this are treated as garbage rather than allocated (the reference implementation uses 100 MB).
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly (ScalarType Type, string Name, int Bytes)[] DTypes =
    [
        (ScalarType.Float64, "F64", 8), (ScalarType.Float32, "F32", 4), (ScalarType.Float16, "F16", 2),
        (ScalarType.BFloat16, "BF16", 2), (ScalarType.Int64, "I64", 8), (ScalarType.Int32, "I32", 4),
        (ScalarType.Int16, "I16", 2), (ScalarType.Int8, "I8", 1), (ScalarType.Byte, "U8", 1), (ScalarType.Bool, "BOOL", 1),
    ];

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; copied to CPU) and <paramref name="metadata"/> to
    /// <paramref name="path"/> atomically: the file is written under a temporary name in the same folder, then renamed,
    /// so a reader never sees a half-written file. Tensors are stored in ordinal name order.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header[MetadataKey] = meta;
        }
        long offset = 0;
        foreach (var name in names)
        {
            if (name == MetadataKey) throw new ArgumentException($"Tensor name '{MetadataKey}' is reserved.", nameof(tensors));
            var t = tensors[name];
            var (_, dtypeName, size) = Lookup(t.dtype, name);
            long bytes = t.numel() * size;
            header[name] = new JsonObject
            {
                ["dtype"] = dtypeName,
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces so the data section starts 8-byte aligned, as the format recommends.
        int padded = (json.Length + 7) / 8 * 8;

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> lengthBytes = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
                stream.Write(lengthBytes);
                stream.Write(json);
                for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var name in names)
                {
                    using var cpu = tensors[name].detach().cpu().contiguous();
                    stream.Write(cpu.bytes);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Reads a safetensors file into CPU tensors. A file that is truncated, has a malformed header, an unknown dtype,
    /// or offsets that do not match the shapes throws <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string what) => new($"'{path}' is not a valid safetensors file: {what}.");

        if (bytes.Length < 8) throw Bad($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw Bad($"the header length {headerLength} exceeds the file size {bytes.Length} (truncated or not safetensors)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject ?? throw Bad("the header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Bad($"the header is not valid JSON ({e.Message})");
        }

        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                if (node is not JsonObject meta) throw Bad($"'{MetadataKey}' is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue value && value.TryGetValue(out string? s) ? s : throw Bad($"metadata '{k}' is not a string");
                continue;
            }
            try
            {
                var entry = node as JsonObject ?? throw Bad($"tensor '{name}' is not an object");
                var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw Bad($"tensor '{name}' has no dtype");
                var dtype = DTypes.FirstOrDefault(d => d.Name == dtypeName);
                if (dtype.Name is null) throw Bad($"tensor '{name}' has unsupported dtype '{dtypeName}'");
                var shape = (entry["shape"] as JsonArray ?? throw Bad($"tensor '{name}' has no shape")).Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"] as JsonArray ?? throw Bad($"tensor '{name}' has no data_offsets");
                if (offsets.Count != 2) throw Bad($"tensor '{name}' data_offsets has {offsets.Count} entries, not 2");
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                if (shape.Any(d => d < 0)) throw Bad($"tensor '{name}' has a negative dimension");
                long expected = shape.Aggregate(1L, (a, d) => a * d) * dtype.Bytes;
                if (begin < 0 || end < begin || end - begin != expected)
                    throw Bad($"tensor '{name}' data_offsets [{begin}, {end}] do not hold {expected} bytes of {dtypeName}{Shape(shape)}");
                if (end > dataLength)
                    throw Bad($"tensor '{name}' ends at byte {end} of the data section but the file holds only {dataLength} (truncated)");
                entries.Add((name, dtype.Type, shape, begin, end));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw Bad($"tensor '{name}' has a malformed entry ({e.Message})");
            }
        }
        // The format requires the tensors to tile the data section exactly: no gaps, no overlaps.
        long covered = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != covered) throw Bad($"tensor '{e.Name}' starts at byte {e.Begin}, expected {covered} (gap or overlap)");
            covered = e.End;
        }
        if (covered != dataLength) throw Bad($"the data section has {dataLength} bytes but the tensors cover {covered}");

        var tensors = new Dictionary<string, Tensor>();
        foreach (var e in entries)
        {
            var t = empty(e.Shape, e.Type);
            if (e.End > e.Begin) t.bytes = bytes.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin));
            tensors[e.Name] = t;
        }
        return new SafeTensorsFile(tensors, metadata);
    }

    private static (ScalarType Type, string Name, int Bytes) Lookup(ScalarType type, string tensorName)
    {
        foreach (var d in DTypes)
            if (d.Type == type) return d;
        throw new ArgumentException($"Tensor '{tensorName}' has dtype {type}, which safetensors cannot store.", nameof(tensorName));
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
