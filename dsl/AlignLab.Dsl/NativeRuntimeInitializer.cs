using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using AlignLab.Models.Runtime;

namespace AlignLab.Dsl;

/// <summary>Runs <see cref="NativeRuntime.Initialize"/> when AlignLab.Dsl loads, in case its code reaches TorchSharp before any AlignLab.Models type.</summary>
internal static class NativeRuntimeInitializer
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The settings must be in place before libtorch loads.")]
    internal static void OnModuleLoad() => NativeRuntime.Initialize();
}
