namespace AlignLab.Dsl;

/// <summary>Which part of a sweep an <see cref="Experiment.Run()"/> does under <see cref="ExperimentSweep"/>.</summary>
public enum SweepStep
{
    /// <summary>Validate the experiment and hand it to <see cref="ExperimentSweep.Planned"/>; compute nothing (<c>alignlab sweep</c> listing the rows).</summary>
    Plan,

    /// <summary>Compute one row into the sweep's run, or skip it when its result is there (<c>alignlab run SCRIPT --row KEY</c>).</summary>
    Row,

    /// <summary>Write the table and chart of the sweep's run over its finished rows (<c>alignlab sweep collect</c>).</summary>
    Collect,
}
