namespace AlignLab.Cli;

/// <summary>How exceptions from a user's mistake are worded on the command line.</summary>
public static class UserMessages
{
    /// <summary>
    /// The exception's message without the " (Parameter 'x')" that <see cref="ArgumentException"/> appends: the name of
    /// a library parameter is noise for a command-line user.
    /// </summary>
    public static string Of(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
    }
}
