// TorchSharp 0.107 passes the handle of a temporary Scalar (e.g. the implicit alpha = 1 of `a + b`) to native code
// without keeping the managed Scalar alive; its finalizer can free the native scalar mid-call when a GC runs on
// another thread. Test classes running in parallel allocate enough to trigger that race (a rare, nondeterministic
// "toFloat" error), so the test classes of projects that use TorchSharp run one at a time, like AlignLab runs themselves.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// The OpenMP wait policy and the libLibTorchSharp.so loading fix must be in place before a test's first TorchSharp
// call, which may come before any AlignLab.Engine type is touched.
internal static class NativeRuntimeForTests
{
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => AlignLab.Models.Runtime.NativeRuntime.Initialize();
}
