namespace AlignLab.Cli;

/// <summary>The process exit codes of the <c>alignlab</c> command.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A user mistake (bad arguments, script compile error, script exception) or a failed run.</summary>
    public const int Failure = 1;

    /// <summary>
    /// Invalid input the user can fix, rejected with one line on stderr naming the problem: a missing model folder, an
    /// unknown architecture, an id outside the vocabulary, empty text, a bad case file; a sweep's bad option
    /// (<c>--max-parallel 0</c>), a script with no experiment to sweep, a row key the experiment does not have.
    /// </summary>
    public const int InvalidInput = 2;

    /// <summary>The run was interrupted with Ctrl-C (128 + SIGINT, the shell convention).</summary>
    public const int Cancelled = 130;
}
