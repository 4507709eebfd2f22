namespace AlignLab.Dsl.Progress;

/// <summary>How a <see cref="ProgressReporter"/> writes.</summary>
public enum ProgressMode
{
    /// <summary>An interactive terminal: one status line rewritten in place (carriage return), at most ~10 times a second.</summary>
    Interactive,

    /// <summary>Redirected output or CI: complete lines, one every <see cref="ProgressOptions.LinePercent"/> percent or <see cref="ProgressOptions.LineInterval"/>.</summary>
    Lines,
}
