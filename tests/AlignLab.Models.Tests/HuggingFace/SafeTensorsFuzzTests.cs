using System.Buffers.Binary;
using System.Text;
using AlignLab.Models.HuggingFace;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>
/// Thousands of damaged files from a fixed seed: the reader either reads them (when the damage left a valid file) or
/// throws <see cref="InvalidDataException"/> naming the file, never another exception, a crash or a read out of bounds.
/// </summary>
public sealed class SafeTensorsFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedFiles_ReadOrThrowInvalidData_Only()
    {
        var original = Path.Combine(_dir, "original.safetensors");
        SafeTensors.Write(original, new Dictionary<string, Tensor>
        {
            ["a.weight"] = arange(12, ScalarType.Float32).reshape(3, 4),
            ["b"] = tensor(new short[] { 1, 2, 3 }).to(ScalarType.BFloat16),
            ["c"] = tensor(new long[] { 7 }),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(original);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        var random = new Random(20240611);
        var path = Path.Combine(_dir, "mutated.safetensors");
        int read = 0, rejected = 0;
        const string Alphabet = "{}[]\":,0123456789-.eE ntrufalsF3216BI_";
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated;
            switch (i % 5)
            {
                case 0: // flip random bytes anywhere
                    mutated = (byte[])bytes.Clone();
                    for (int k = random.Next(1, 4); k > 0; k--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                    break;
                case 1: // truncate
                    mutated = bytes[..random.Next(bytes.Length)];
                    break;
                case 2: // a wrong header length
                    mutated = (byte[])bytes.Clone();
                    BinaryPrimitives.WriteUInt64LittleEndian(mutated, random.Next(3) switch
                    {
                        0 => (ulong)random.Next(0, bytes.Length + 16),
                        1 => ulong.MaxValue - (ulong)random.Next(1000),
                        _ => (ulong)random.NextInt64(),
                    });
                    break;
                default: // edit the JSON header text with JSON-ish characters, keeping or changing its length
                    var chars = header.ToCharArray().ToList();
                    for (int k = random.Next(1, 4); k > 0; k--)
                    {
                        int at = random.Next(chars.Count);
                        char c = Alphabet[random.Next(Alphabet.Length)];
                        switch (random.Next(3))
                        {
                            case 0: chars[at] = c; break;
                            case 1: chars.Insert(at, c); break;
                            default: chars.RemoveAt(at); break;
                        }
                    }
                    var json = Encoding.UTF8.GetBytes(new string(chars.ToArray()));
                    mutated = new byte[8 + json.Length + bytes.Length - 8 - headerLength];
                    BinaryPrimitives.WriteUInt64LittleEndian(mutated, (ulong)json.Length);
                    json.CopyTo(mutated, 8);
                    bytes.AsSpan(8 + headerLength).CopyTo(mutated.AsSpan(8 + json.Length));
                    break;
            }
            File.WriteAllBytes(path, mutated);
            try
            {
                using var file = SafeTensors.Read(path);
                read++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message);
                rejected++;
            }
        }
        // Both outcomes occur (mutating data bytes leaves a valid file), so the loop exercised both paths.
        Assert.True(read > 50 && rejected > 1000, $"read {read}, rejected {rejected}");
    }
}
