namespace AlignLab.Cli.Notebooks;

/// <summary>
/// A code cell made ready for the C# script host by <see cref="CellMagics.Prepare"/>.
/// </summary>
/// <param name="Code">The C# to compile: the cell's source with its magic lines blanked out, so line numbers still match the cell.</param>
/// <param name="Runs">False when nothing is to be executed (an empty cell, or a <c>#!markdown</c> cell).</param>
/// <param name="Notes">What was skipped or ignored, one line each (e.g. a <c>#r "nuget: …"</c> AlignLab already references).</param>
/// <param name="Error">Why the cell cannot run (an F# cell, a package that cannot be restored), or null.</param>
public sealed record PreparedCell(string Code, bool Runs, IReadOnlyList<string> Notes, string? Error);
