using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace AlignLab.Models.Runtime;

/// <summary>
/// Makes TorchSharp 0.107's <c>libLibTorchSharp.so</c> load on Linux distributions with GCC 12's libstdc++ (Debian 12,
/// Ubuntu 22.04). The library declares a need for <c>GLIBCXX_3.4.32</c> but only references a marker symbol of that
/// version that is never called, so the loader's refusal is spurious. When the original fails to load, this loads a
/// copy whose need is marked weak (<see cref="ElfVersionNeeds.MarkWeak"/>), kept in AlignLab's cache folder
/// (<c>&lt;cache&gt;/native/&lt;hash of the original&gt;/</c>, <see cref="CacheFolder.Path"/>) and never in
/// the NuGet cache or the build output. It works wherever TorchSharp was restored from: a project's output, a .NET
/// tool, a notebook kernel's or <c>dotnet fsi</c>'s NuGet cache. Where the original loads (a newer libstdc++), it is
/// used as it is.
/// </summary>
public static class TorchSharpNativeFix
{
    /// <summary>The name TorchSharp loads its native wrapper by (<c>DllImport("LibTorchSharp")</c>).</summary>
    public const string LibraryName = "LibTorchSharp";

    /// <summary>The version need that is made weak.</summary>
    public const string VersionName = "GLIBCXX_3.4.32";

    private const string FileName = "libLibTorchSharp.so";

    // The libraries libLibTorchSharp.so needs (DT_NEEDED). The copy lives in another folder, so its $ORIGIN run path no
    // longer finds them; loaded first by the same probing TorchSharp uses, they are then found by their sonames.
    private static readonly string[] Dependencies = ["c10", "torch_cpu", "torch"];

    private static readonly Lock Gate = new();
    private static nint patched;
    private static bool registered;

    /// <summary>
    /// Hooks TorchSharp's native loading (idempotent; nothing happens outside Linux): TorchSharp's own load of
    /// <see cref="LibraryName"/> falls back to the patched copy (<see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/>),
    /// and its P/Invokes then bind to that copy (<see cref="NativeLibrary.SetDllImportResolver"/>). Must run before
    /// TorchSharp's first native call; <see cref="NativeRuntime.Initialize"/> does it when AlignLab.Engine loads. When
    /// TorchSharp runs from the NuGet cache (<see cref="NuGetLibTorchFolder"/>), libtorch is loaded here from its package
    /// folder, before TorchSharp's search by name could find another libtorch on the system (e.g. Debian's python3-torch).
    /// </summary>
    public static void Register()
    {
        if (!OperatingSystem.IsLinux()) return;
        lock (Gate)
        {
            if (registered) return;
            registered = true;
            var torchSharp = typeof(TorchSharp.torch).Assembly;
            try
            {
                NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) => name == LibraryName ? Volatile.Read(ref patched) : 0);
            }
            catch (InvalidOperationException)
            {
                // The host set its own resolver for TorchSharp: P/Invokes then reach the copy through the event below.
            }
            (AssemblyLoadContext.GetLoadContext(torchSharp) ?? AssemblyLoadContext.Default).ResolvingUnmanagedDll +=
                (assembly, name) => name == LibraryName && assembly == torchSharp ? LoadPatchedCopy(torchSharp) : 0;
            if (NuGetLibTorchFolder(torchSharp) is { } folder)
                foreach (string dependency in Dependencies) NativeLibrary.TryLoad(Path.Combine(folder, $"lib{dependency}.so"), out _);
        }
    }

    /// <summary>
    /// The path of the patched copy of <paramref name="original"/> in <paramref name="cacheDirectory"/>, written
    /// (atomically) if it is not there yet; null when <paramref name="original"/> has no non-weak need of
    /// <see cref="VersionName"/>, so that there is nothing to fix.
    /// </summary>
    public static string? PatchedCopy(string original, string cacheDirectory)
    {
        byte[] bytes = File.ReadAllBytes(original);
        string target = Path.Combine(cacheDirectory, "native", Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], Path.GetFileName(original));
        if (File.Exists(target)) return target;
        if (ElfVersionNeeds.MarkWeak(bytes, VersionName) != ElfPatchResult.Patched) return null;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Another process may write the same copy at the same time: each writes its own temp file, and the rename is atomic.
        string temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    /// <summary>
    /// Where the original <c>libLibTorchSharp.so</c> of <paramref name="torchSharp"/> lies: in the host's native search
    /// folders (an application's output), next to TorchSharp.dll, or in TorchSharp's NuGet package folder (when
    /// TorchSharp.dll is loaded from the NuGet cache, as in a notebook kernel). Null when none holds it.
    /// </summary>
    public static string? FindOriginal(Assembly torchSharp)
    {
        string rid = Rid();
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        if (Path.GetDirectoryName(torchSharp.Location) is { Length: > 0 } assemblyFolder)
        {
            folders.Add(assemblyFolder);
            folders.Add(Path.Combine(assemblyFolder, "runtimes", rid, "native"));
            folders.Add(Path.Combine(assemblyFolder, "..", "..", "runtimes", rid, "native"));   // <package>/lib/<tfm>/
        }
        return folders.Select(f => Path.GetFullPath(Path.Combine(f, FileName))).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The folder of libtorch's native libraries for <paramref name="torchSharp"/> when TorchSharp.dll is loaded from the
    /// NuGet cache (<c>&lt;packages&gt;/torchsharp/&lt;v&gt;/lib/&lt;tfm&gt;/</c>, as in a notebook kernel or <c>dotnet fsi</c>):
    /// <c>&lt;packages&gt;/libtorch-cpu-&lt;rid&gt;/&lt;libtorch version&gt;/runtimes/&lt;rid&gt;/native</c>, the libtorch version
    /// read from the TorchSharp-cpu package of the same version. Null in any other layout (an application's output
    /// carries libtorch itself) or when that package is not restored.
    /// </summary>
    public static string? NuGetLibTorchFolder(Assembly torchSharp)
    {
        if (Path.GetDirectoryName(torchSharp.Location) is not { Length: > 0 } assemblyFolder) return null;
        var package = new DirectoryInfo(Path.Combine(assemblyFolder, "..", ".."));          // <packages>/torchsharp/<v>
        if (package.Parent is not { Name: "torchsharp", Parent: { } packages }) return null;
        string nuspec = Path.Combine(packages.FullName, "torchsharp-cpu", package.Name, "torchsharp-cpu.nuspec");
        if (!File.Exists(nuspec)) return null;
        var libTorch = Regex.Match(File.ReadAllText(nuspec), "id=\"libtorch-cpu\"\\s+version=\"([^\"]+)\"");
        if (!libTorch.Success) return null;
        string rid = Rid();
        string folder = Path.Combine(packages.FullName, $"libtorch-cpu-{rid}", libTorch.Groups[1].Value, "runtimes", rid, "native");
        return File.Exists(Path.Combine(folder, "libtorch_cpu.so")) ? folder : null;
    }

    private static string Rid() => "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    private static nint LoadPatchedCopy(Assembly torchSharp)
    {
        lock (Gate)
        {
            if (patched != 0) return patched;
            string? original = FindOriginal(torchSharp);
            string? copy = original is null ? null : PatchedCopy(original, CacheFolder.Path);
            if (copy is null) return 0;   // nothing this fix can do: TorchSharp reports its own load failure
            foreach (string dependency in Dependencies) NativeLibrary.TryLoad(dependency, torchSharp, null, out _);
            try
            {
                Volatile.Write(ref patched, NativeLibrary.Load(copy));
            }
            catch (DllNotFoundException e)
            {
                Console.Error.WriteLine($"AlignLab: the patched copy {copy} of {original} does not load either: {e.Message}");
            }
            return patched;
        }
    }
}
