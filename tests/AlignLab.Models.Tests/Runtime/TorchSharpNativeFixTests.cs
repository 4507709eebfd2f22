using System.Runtime.InteropServices;
using AlignLab.Models.Runtime;
using TorchSharp;

namespace AlignLab.Models.Tests.Runtime;

/// <summary>
/// The run-time fix for TorchSharp's <c>libLibTorchSharp.so</c> on GCC 12 systems: the ELF edit, the patched copy in
/// the cache folder, and that this very process computes with that copy rather than the unpatched original (Linux only,
/// as is the library).
/// </summary>
public sealed class TorchSharpNativeFixTests : IDisposable
{
    private readonly DirectoryInfo cache = Directory.CreateTempSubdirectory("alignlab-native-");

    public void Dispose() => cache.Delete(recursive: true);

    private static string Original() =>
        TorchSharpNativeFix.FindOriginal(typeof(torch).Assembly) ?? throw new Xunit.Sdk.XunitException("libLibTorchSharp.so not found");

    [Fact]
    public void MarkWeak_SetsTheWeakFlagOnce_AndLeavesEveryOtherByteAlone()
    {
        byte[] original = File.ReadAllBytes(Original());
        byte[] bytes = (byte[])original.Clone();

        Assert.Equal(ElfPatchResult.Patched, ElfVersionNeeds.MarkWeak(bytes, TorchSharpNativeFix.VersionName));
        // One Vernaux entry names GLIBCXX_3.4.32: exactly its vna_flags low byte gains VER_FLG_WEAK (0x2).
        var changed = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != original[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(original[changed[0]] | 0x2, bytes[changed[0]]);
        Assert.Equal(ElfPatchResult.AlreadyWeak, ElfVersionNeeds.MarkWeak(bytes, TorchSharpNativeFix.VersionName));
        Assert.Equal(ElfPatchResult.NotNeeded, ElfVersionNeeds.MarkWeak(bytes, "GLIBCXX_99.0"));
    }

    [Fact]
    public void MarkWeak_RejectsAFileThatIsNotElf64()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(new byte[100], "GLIBCXX_3.4.32"));
        byte[] truncated = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, .. new byte[58]];
        truncated[0x28] = 0xff;   // section table far beyond the end of the file
        truncated[0x3C] = 1;
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(truncated, "GLIBCXX_3.4.32"));
    }

    [Fact]
    public void PatchedCopy_IsWrittenOnceInTheCacheFolder_AndTheOriginalIsUntouched()
    {
        string original = Original();
        byte[] before = File.ReadAllBytes(original);

        string copy = TorchSharpNativeFix.PatchedCopy(original, cache.FullName)!;

        Assert.StartsWith(Path.Combine(cache.FullName, "native") + Path.DirectorySeparatorChar, copy);
        Assert.Equal(ElfPatchResult.AlreadyWeak, ElfVersionNeeds.MarkWeak(File.ReadAllBytes(copy), TorchSharpNativeFix.VersionName));
        Assert.Equal(before, File.ReadAllBytes(original));
        var written = File.GetLastWriteTimeUtc(copy);
        Assert.Equal(copy, TorchSharpNativeFix.PatchedCopy(original, cache.FullName));
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
        Assert.Single(Directory.GetFiles(cache.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ThisProcess_ComputesWithTheLibraryThatLoads()
    {
        using var sum = torch.ones(3).sum();
        Assert.Equal(3f, sum.item<float>());
        var mapped = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)).Select(f => f[5]).Distinct().ToList();
        // One copy only; on a system whose libstdc++ lacks GLIBCXX_3.4.32 it is the patched one in the cache folder.
        Assert.Single(mapped);
        if (!LibStdCxxHas(TorchSharpNativeFix.VersionName))
            Assert.Contains($"{Path.DirectorySeparatorChar}native{Path.DirectorySeparatorChar}", mapped[0]);
    }

    [Fact]
    public void OpenMpWaitPolicy_IsPassive_InTheNativeEnvironment_UnlessSetBeforehand()
    {
        string expected = Environment.GetEnvironmentVariable(OpenMpDefaults.WaitPolicyVariable) ?? "";
        Assert.Equal(expected, Marshal.PtrToStringUTF8(GetEnv(OpenMpDefaults.WaitPolicyVariable)));
        // Under a plain `dotnet test` nothing sets it, so the default applied; a caller's own value is kept (CI may set one).
        Assert.Equal(expected, OpenMpDefaults.Apply());
    }

    private static bool LibStdCxxHas(string version) =>
        File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].Contains("libstdc++.so", StringComparison.Ordinal)).Select(f => f[5]).Distinct()
            .Any(path => System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path)).Contains(version + "\0", StringComparison.Ordinal));

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern nint GetEnv(string name);
}
