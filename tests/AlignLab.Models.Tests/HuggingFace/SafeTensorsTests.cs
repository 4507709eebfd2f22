using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.HuggingFace;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, Tensor> Sample() => new()
    {
        ["w"] = arange(6, ScalarType.Float32).reshape(2, 3) / 7,
        ["ids"] = tensor(new long[] { -3, 0, long.MaxValue }),
        ["flag"] = tensor(new[] { true, false }),
        ["scalar"] = tensor(2.5),
    };

    [Fact]
    public void RoundTrip_PreservesValuesDtypesShapesAndMetadata()
    {
        var path = Path.Combine(_dir, "a.safetensors");
        var original = Sample();
        SafeTensors.Write(path, original, new Dictionary<string, string> { ["k"] = "v" });
        using var read = SafeTensors.Read(path);
        Assert.Equal("v", read.Metadata["k"]);
        Assert.Equal(original.Keys.Order(), read.Tensors.Keys.Order());
        foreach (var (name, t) in original)
        {
            Assert.Equal(t.dtype, read.Tensors[name].dtype);
            Assert.Equal(t.shape, read.Tensors[name].shape);
            Assert.True(t.eq(read.Tensors[name]).all().item<bool>(), name);
        }
        Assert.Single(Directory.GetFiles(_dir)); // no temp file left behind
    }

    [Fact]
    public void Layout_FollowsTheSafetensorsSpec()
    {
        var path = Path.Combine(_dir, "b.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["x"] = tensor(new float[] { 1.5f, -2f }) });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' '));
        var x = header.RootElement.GetProperty("x");
        Assert.Equal("F32", x.GetProperty("dtype").GetString());
        Assert.Equal(2, x.GetProperty("shape")[0].GetInt64());
        Assert.Equal(0, x.GetProperty("data_offsets")[0].GetInt64());
        Assert.Equal(8, x.GetProperty("data_offsets")[1].GetInt64());
        Assert.Equal(8 + n + 8, bytes.Length);
        Assert.Equal(1.5f, BitConverter.ToSingle(bytes, (int)(8 + n)));
        Assert.Equal(-2f, BitConverter.ToSingle(bytes, (int)(8 + n + 4)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(-5)]
    public void TruncatedFile_ThrowsInvalidDataNamingTheFile(int keep)
    {
        var path = Path.Combine(_dir, "c.safetensors");
        SafeTensors.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void GarbageFile_ThrowsInvalidData()
    {
        var path = Path.Combine(_dir, "d.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 40);
        Encoding.ASCII.GetBytes("{ not json at all").CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        File.WriteAllText(path, "hello, this is a text file and not a checkpoint");
        Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
    }
}
