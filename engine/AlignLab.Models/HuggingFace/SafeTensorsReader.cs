using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// An open safetensors file whose header has been read and validated, from which tensors are read one at a time
/// (so loading a model never holds more than one stored tensor beside the model). <see cref="Open"/> checks everything
/// the header promises before any data is read: the header length fits the file, the header is a JSON object, every
/// entry has a known dtype, a non-negative shape and data_offsets holding exactly shape × dtype-size bytes, and the
/// entries tile the data section with no gap, overlap or byte past the end. Any violation is an
/// <see cref="InvalidDataException"/> naming the file and the tensor. Owns a file handle: dispose it.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private const string MetadataKey = "__metadata__";

    // Header lengths above this are treated as garbage rather than allocated (the reference implementation uses 100 MB).
    private const long MaxHeaderBytes = 100_000_000;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;

    private SafeTensorsReader(string path, SafeFileHandle handle, long dataStart, IReadOnlyDictionary<string, SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The tensors the header declares, by name (in header order).</summary>
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }

    /// <summary>The header's <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and validates its header (see the type's summary). Throws
    /// <see cref="FileNotFoundException"/> for a missing file and <see cref="InvalidDataException"/> for a malformed one.
    /// </summary>
    public static SafeTensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file not found: {path}", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var (dataStart, entries, metadata) = ReadHeader(path, handle);
            return new SafeTensorsReader(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor of its stored dtype and shape.</summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"'{Path}' has no tensor '{name}'.");
        var result = empty(entry.Shape, entry.DType);
        try
        {
            if (entry.ByteCount > 0) ReadBytes(entry, result);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void ReadBytes(SafeTensorsEntry entry, Tensor destination)
    {
        // Read straight into the tensor's own storage, in pieces below 2 GB (a Span's limit): no managed copy of the data.
        long elementSize = entry.ByteCount / destination.numel();
        long chunk = (1L << 30) / elementSize;
        using var flat = destination.reshape(-1);
        for (long first = 0; first < flat.shape[0]; first += chunk)
        {
            using var piece = flat.narrow(0, first, Math.Min(chunk, flat.shape[0] - first));
            var span = piece.bytes;
            long offset = _dataStart + entry.Begin + first * elementSize;
            int filled = 0;
            while (filled < span.Length)
            {
                int n = RandomAccess.Read(_handle, span[filled..], offset + filled);
                if (n == 0) throw new InvalidDataException($"'{Path}': tensor '{entry.Name}' ends past the end of the file (truncated).");
                filled += n;
            }
        }
    }

    private static (long DataStart, IReadOnlyDictionary<string, SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path, SafeFileHandle handle)
    {
        InvalidDataException Bad(string what) => new($"'{path}' is not a valid safetensors file: {what}.");
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8) throw Bad($"it has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
            throw Bad($"the header length {headerLength} exceeds the file size {fileLength} (truncated or not safetensors)");
        var headerBytes = new byte[headerLength];
        ReadExactly(handle, headerBytes, 8);

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad("the header is not UTF-8 text");
        }
        JsonObject header;
        try
        {
            header = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject
                ?? throw Bad("the header is not a JSON object");
            // Enumerating materialises the properties, which is where a duplicate name is detected.
            _ = header.Count;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw Bad($"the header is not a valid JSON object ({e.Message})");
        }

        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;
        var metadata = new Dictionary<string, string>();
        var entries = new Dictionary<string, SafeTensorsEntry>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                if (node is not JsonObject meta) throw Bad($"'{MetadataKey}' is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue value && value.TryGetValue(out string? s) ? s : throw Bad($"metadata '{k}' is not a string");
                continue;
            }
            entries[name] = ParseEntry(name, node, dataLength, Bad);
        }
        // The format requires the tensors to tile the data section exactly: no gaps, no overlaps.
        long covered = 0;
        foreach (var e in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != covered) throw Bad($"tensor '{e.Name}' starts at byte {e.Begin}, expected {covered} (gap or overlap)");
            covered = e.End;
        }
        if (covered != dataLength) throw Bad($"the data section has {dataLength} bytes but the tensors cover {covered}");
        return (dataStart, entries, metadata);
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonNode? node, long dataLength, Func<string, InvalidDataException> bad)
    {
        if (node is not JsonObject entry) throw bad($"tensor '{name}' is not an object");
        if (!(entry["dtype"] is JsonValue dtypeNode && dtypeNode.TryGetValue(out string? dtypeName)))
            throw bad($"tensor '{name}' has no string dtype");
        if (!SafeTensorsDTypes.TryParse(dtypeName, out var dtype, out int size))
            throw bad($"tensor '{name}' has unsupported dtype '{dtypeName}'");
        var shape = Integers(entry["shape"]) ?? throw bad($"tensor '{name}' has no shape (an array of integers)");
        var offsets = Integers(entry["data_offsets"]) ?? throw bad($"tensor '{name}' has no data_offsets (an array of integers)");
        if (offsets.Length != 2) throw bad($"tensor '{name}' data_offsets has {offsets.Length} entries, not 2");
        if (shape.Any(d => d < 0)) throw bad($"tensor '{name}' has a negative dimension");
        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (a, d) => a * d) * size);
        }
        catch (OverflowException)
        {
            throw bad($"tensor '{name}' shape [{string.Join(", ", shape)}] is too large");
        }
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin || end - begin != expected)
            throw bad($"tensor '{name}' data_offsets [{begin}, {end}] do not hold {expected} bytes of {dtypeName}[{string.Join(", ", shape)}]");
        if (end > dataLength)
            throw bad($"tensor '{name}' ends at byte {end} of the data section but the file holds only {dataLength} (truncated)");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[]? Integers(JsonNode? node)
    {
        if (node is not JsonArray array) return null;
        var values = new long[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is not JsonValue value || !value.TryGetValue(out long v)) return null;
            values[i] = v;
        }
        return values;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[filled..], offset + filled);
            if (n == 0) throw new EndOfStreamException();
            filled += n;
        }
    }
}
