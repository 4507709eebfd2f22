namespace AlignLab.Models.Tokenization;

/// <summary>One turn of a chat: who speaks (<c>system</c>, <c>user</c> or <c>assistant</c>) and what they say.</summary>
/// <param name="Role">The speaker, as chat templates name it: <c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">The text of the turn, verbatim (templates decide whether to trim it).</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>A user turn.</summary>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An assistant turn.</summary>
    public static ChatMessage Assistant(string content) => new("assistant", content);

    /// <summary>A system turn (instructions before the conversation).</summary>
    public static ChatMessage System(string content) => new("system", content);
}
