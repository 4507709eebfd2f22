namespace AlignLab.Dsl;

/// <summary>
/// Thrown by <see cref="Experiment.Run()"/> when its cancellation token is signalled (the first Ctrl-C under
/// <c>alignlab run</c>): the experiment stopped at a step boundary, finished rows are in the run's row store, the row in
/// progress is checkpointed, and the run is marked cancelled. <c>alignlab run SCRIPT --resume RUN</c> continues it.
/// </summary>
public sealed class ExperimentCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception for run <paramref name="runId"/>, with <paramref name="saved"/> saying what was kept.</summary>
    public ExperimentCancelledException(string runId, string saved, Exception? inner, CancellationToken token)
        : base($"run {runId} stopped: {saved}", inner, token)
    {
        RunId = runId;
        Saved = saved;
    }

    /// <summary>The run's id in the run store, to pass to <c>--resume</c>.</summary>
    public string RunId { get; }

    /// <summary>What was kept for the resume, e.g. "3 of 13 rows finished; DPO(n=8, β=0.05) saved at step 120 of 300".</summary>
    public string Saved { get; }
}
