using System.Runtime.InteropServices;

namespace AlignLab.Models.Runtime;

/// <summary>
/// AlignLab's default OpenMP settings for libtorch's thread pool. With the OpenMP default (<c>active</c>), idle worker
/// threads spin on their cores for a while before sleeping; two AlignLab processes on one machine (two experiments, test
/// assemblies in parallel) then take turns spinning and slow each other far beyond 2× (docs/benchmarks.md).
/// <c>OMP_WAIT_POLICY=passive</c> makes waiting threads sleep. The OpenMP runtime reads the variable once, when libtorch
/// loads, so <see cref="Apply"/> must run before TorchSharp's first native call.
/// </summary>
public static class OpenMpDefaults
{
    /// <summary>The OpenMP environment variable that decides whether idle threads spin or sleep.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>AlignLab's default wait policy.</summary>
    public const string DefaultWaitPolicy = "passive";

    /// <summary>
    /// Sets <see cref="WaitPolicyVariable"/> to <see cref="DefaultWaitPolicy"/> in the process environment unless it is
    /// set already (so <c>OMP_WAIT_POLICY=active alignlab …</c> overrides it). Returns the value in effect.
    /// </summary>
    public static string Apply()
    {
        if (Environment.GetEnvironmentVariable(WaitPolicyVariable) is { Length: > 0 } chosen) return chosen;
        // .NET keeps its own copy of the environment on Unix: Environment.SetEnvironmentVariable is not seen by native
        // getenv, which is what libgomp calls. Set both (the managed copy is what child processes inherit).
        if (!OperatingSystem.IsWindows()) SetNative(WaitPolicyVariable, DefaultWaitPolicy, overwrite: 0);
        Environment.SetEnvironmentVariable(WaitPolicyVariable, DefaultWaitPolicy);
        return DefaultWaitPolicy;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNative(string name, string value, int overwrite);
}
