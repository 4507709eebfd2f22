namespace AlignLab.Dsl;

/// <summary>
/// Thrown by <see cref="Experiment.Run()"/> under <c>alignlab run SCRIPT --row KEY</c> when the experiment has no row
/// with key <see cref="Key"/> (<see cref="MethodSpec.Key"/>); the message lists the keys it has.
/// </summary>
public sealed class UnknownRowException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="key"/>, missing from experiment <paramref name="experiment"/> with rows <paramref name="keys"/>.</summary>
    public UnknownRowException(string experiment, string key, IReadOnlyList<string> keys)
        : base($"experiment '{experiment}' has no row '{key}'; its rows are: {string.Join(", ", keys)}.")
    {
        Key = key;
    }

    /// <summary>The key that was asked for.</summary>
    public string Key { get; }
}
