using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace AlignLab.Models.Runtime;

/// <summary>
/// Prepares the process for libtorch before TorchSharp loads it: the OpenMP wait policy (<see cref="OpenMpDefaults"/>)
/// and, on Linux, the <c>libLibTorchSharp.so</c> loading fix (<see cref="TorchSharpNativeFix"/>). Runs by itself when
/// AlignLab.Models (or AlignLab.Engine, AlignLab.Dsl) is first used; a program that calls TorchSharp before touching any AlignLab
/// type calls <see cref="Initialize"/> first.
/// </summary>
public static class NativeRuntime
{
    /// <summary>Applies <see cref="OpenMpDefaults.Apply"/> and <see cref="TorchSharpNativeFix.Register"/>; idempotent.</summary>
    public static void Initialize()
    {
        OpenMpDefaults.Apply();
        TorchSharpNativeFix.Register();
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The settings must be in place before libtorch loads, whichever AlignLab entry point a host uses first.")]
    internal static void OnModuleLoad() => Initialize();
}
