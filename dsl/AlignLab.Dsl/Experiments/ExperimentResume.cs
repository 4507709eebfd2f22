namespace AlignLab.Dsl;

/// <summary>
/// How <see cref="Experiment.Run(ExperimentResume?, CancellationToken)"/> continues an earlier run instead of starting a
/// new one (<c>alignlab run SCRIPT --resume [RUN]</c>): finished rows are reused from the run's row store, the row that
/// was interrupted continues from its last checkpoint, and the rest are computed.
/// </summary>
/// <param name="RunId">The run to continue (an id or a unique prefix); null continues the latest run of the experiment's name.</param>
/// <param name="AllowConfigChange">
/// Continue even when the experiment's configuration differs from the run's (otherwise an error naming the first
/// differing field); the differences are recorded in the run's manifest (<c>resumes</c>).
/// </param>
public sealed record ExperimentResume(string? RunId = null, bool AllowConfigChange = false);
