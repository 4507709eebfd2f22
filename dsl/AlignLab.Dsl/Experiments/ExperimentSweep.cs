using AlignLab.Dsl.Scripting;

namespace AlignLab.Dsl;

/// <summary>
/// Set by a script host (<see cref="ScriptContext.Sweep"/>) to make the script's experiment take one part in a sweep
/// instead of running whole: its rows (<see cref="MethodSpec.Key"/>) are computed as separate jobs into one detached run
/// of the run store (<see cref="Results.RunStore.StartRun"/>), each row's result stored atomically in the run's
/// <see cref="RowStore"/>, and gathered at the end. A sweep covers the script's first <see cref="Experiment.Run()"/>:
/// once it has done its part, <see cref="SweepStepDoneException"/> ends the script (what follows <c>Run()</c> in a
/// script works on a whole run's result).
/// </summary>
/// <param name="Step">What to do: plan, compute one row, or collect.</param>
/// <param name="RunId">The sweep's run (an id or unique prefix); null for the latest sweep run of the experiment's name. Unused when planning.</param>
/// <param name="RowKey">The row to compute (<see cref="SweepStep.Row"/> only).</param>
/// <param name="Planned">Receives the validated experiment (<see cref="SweepStep.Plan"/> only).</param>
public sealed record ExperimentSweep(SweepStep Step, string? RunId = null, string? RowKey = null, Action<Experiment>? Planned = null);
