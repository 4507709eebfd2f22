using AlignLab.Dsl.Results;

namespace AlignLab.Dsl;

/// <summary>
/// What the rows of one experiment share while they are computed — the task, its reference policy and whatever every
/// row's evaluation needs — and how a row is computed and how finished rows become the table and chart.
/// <see cref="ExperimentRunner"/> drives it the same way for every task (runs, resumes, sweeps); the toy task evaluates
/// exactly (<see cref="ToyExperimentSession"/>), a real task by Monte-Carlo (<see cref="RealExperimentSession"/>).
/// </summary>
internal interface IExperimentSession : IDisposable
{
    /// <summary>
    /// Trains (or, for Base and BestOfN, only evaluates) the row of <paramref name="spec"/> and evaluates it. Training
    /// checkpoints into <paramref name="rowFolder"/> and continues from a checkpoint there; its metrics go to
    /// <paramref name="log"/>, or, when it is null (a swept row), to the row's own <see cref="ExperimentRunner.RowMetricsFile"/>.
    /// </summary>
    ExperimentRow ComputeRow(MethodSpec spec, Action<long, IReadOnlyDictionary<string, double>>? log, string rowFolder, bool allowConfigChange,
        CancellationToken cancellationToken);

    /// <summary>The chart and table over <paramref name="rows"/>, written to <paramref name="run"/>, as the run's result.</summary>
    ExperimentResult Finish(IReadOnlyList<ExperimentRow> rows, RunWriter run);

    /// <summary>The session of <paramref name="experiment"/>'s task.</summary>
    static IExperimentSession Open(Experiment experiment) =>
        experiment.RealTask is null ? new ToyExperimentSession(experiment) : new RealExperimentSession(experiment);
}
