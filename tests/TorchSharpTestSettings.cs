// TorchSharp 0.107 passes the handle of a temporary Scalar (e.g. the implicit alpha = 1 of `a + b`) to native code
// without keeping the managed Scalar alive; its finalizer can free the native scalar mid-call when a GC runs on
// another thread. Test classes running in parallel allocate enough to trigger that race (a rare, nondeterministic
// "toFloat" error), so the test classes of projects that use TorchSharp run one at a time, like AlignLab runs themselves.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
