using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors), so checkpoints can be read by
/// other tools: an 8-byte little-endian header length N, an N-byte JSON header mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the data section) plus an optional
/// <c>"__metadata__"</c> string-to-string map, then the raw little-endian tensor bytes, contiguous and in header order.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

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
            var (dtypeName, size) = SafeTensorsDTypes.Of(t.dtype, name);
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
    /// Reads every tensor of a safetensors file into CPU tensors (for checkpoints; a model folder is read tensor by tensor
    /// with <see cref="SafeTensorsReader"/>). A file that is truncated, has a malformed header, an unknown dtype, or
    /// offsets that do not match the shapes throws <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static SafeTensorsFile Read(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var name in reader.Entries.Keys) tensors[name] = reader.Read(name);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsFile(tensors, reader.Metadata);
    }
}
