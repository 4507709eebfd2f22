using System.Text;
using AlignLab.Engine.Training;
using AlignLab.Tests;

namespace AlignLab.Engine.Tests.Training;

public sealed class TensorBoardLogTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-tensorboard-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Logs => Path.Combine(folder.FullName, TensorBoardLog.FolderName);

    [Fact]
    public void Crc32C_OfTheStandardCheckString_IsTheKnownValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, B.4), so the reader's CRCs are the format's.
        Assert.Equal(0xE3069283u, TensorBoardEvents.Crc32C(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Write_ReadsBack_EveryTagStepAndValue_WithValidCrcs()
    {
        var log = new TensorBoardLog(Logs);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        log.Write(10, new Dictionary<string, double> { ["loss"] = 0.123456789, ["bon/kl"] = 2.5 });
        log.Write(20, new Dictionary<string, double> { ["loss"] = double.NaN, ["bon/kl"] = -1e-7 });

        var scalars = TensorBoardEvents.ReadFolder(Logs);

        Assert.Equal([(10L, "loss", 0.123456789f), (10, "bon/kl", 2.5f), (20, "loss", float.NaN), (20, "bon/kl", -1e-7f)],
            scalars.Select(s => (s.Step, s.Tag, s.Value)));
        Assert.All(scalars, s => Assert.InRange(s.WallTime, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1));
        Assert.Single(Directory.GetFiles(Logs));
    }

    [Fact]
    public void ACorruptedByte_FailsTheCrc()
    {
        new TensorBoardLog(Logs).Write(1, new Dictionary<string, double> { ["loss"] = 1.0 });
        var file = Directory.GetFiles(Logs).Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0x01; // inside the last record's data
        File.WriteAllBytes(file, bytes);

        Assert.Contains("bad data CRC", Assert.Throws<InvalidDataException>(() => TensorBoardEvents.ReadFile(file)).Message);
    }

    [Fact]
    public void Rewrite_KeepsOnlyTheGivenRecords_AndLaterWritesFollowThem()
    {
        var log = new TensorBoardLog(Logs);
        for (var step = 1; step <= 5; step++) log.Write(step, new Dictionary<string, double> { ["loss"] = step });

        // A resume from the step-3 checkpoint: steps 4 and 5 are dropped, then logged again with new values.
        log.Rewrite(Enumerable.Range(1, 3).Select(step => ((long)step, (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["loss"] = step })));
        var resumed = new TensorBoardLog(Logs);
        resumed.Write(4, new Dictionary<string, double> { ["loss"] = 40 });
        resumed.Write(5, new Dictionary<string, double> { ["loss"] = 50 });

        Assert.Equal([(1L, 1f), (2, 2f), (3, 3f), (4, 40f), (5, 50f)], TensorBoardEvents.ReadFolder(Logs).Select(s => (s.Step, s.Value)));
        Assert.Equal([Logs], Directory.GetDirectories(folder.FullName));
    }

    [Fact]
    public void RewriteWithNoRecords_RemovesTheFolder()
    {
        var log = new TensorBoardLog(Logs);
        log.Write(1, new Dictionary<string, double> { ["loss"] = 1 });
        log.Rewrite([]);
        Assert.False(Directory.Exists(Logs));
        Assert.Empty(folder.GetFileSystemInfos());
    }

    [Fact]
    public void AStepBeyondInt32_IsRefused_NamingTheLimit()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoardLog(Logs).Write(1L << 33, new Dictionary<string, double> { ["loss"] = 1 }));
        Assert.Contains("int32", e.Message);
    }
}
