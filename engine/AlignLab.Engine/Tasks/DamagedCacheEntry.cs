namespace AlignLab.Engine.Tasks;

/// <summary>A <see cref="ModelCache"/> entry found damaged on load, moved aside and rebuilt.</summary>
/// <param name="Path">The entry's file.</param>
/// <param name="Reason">What is wrong with it, e.g. "its content does not match its hash (changed or corrupted weights)".</param>
/// <param name="MovedTo">Where the damaged file now is, for inspection; null when it could not be moved (the rebuild replaces it).</param>
public sealed record DamagedCacheEntry(string Path, string Reason, string? MovedTo);
