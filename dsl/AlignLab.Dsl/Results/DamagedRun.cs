namespace AlignLab.Dsl.Results;

/// <summary>A folder in a run store that is not a readable run: no <c>run.json</c>, or one that does not parse.</summary>
/// <param name="Id">The folder's name (the run id it would have).</param>
/// <param name="Folder">Full path of the folder.</param>
/// <param name="Reason">What is wrong, in one line.</param>
public sealed record DamagedRun(string Id, string Folder, string Reason);
