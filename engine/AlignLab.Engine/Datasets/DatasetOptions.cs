using AlignLab.Models.Tokenization;

namespace AlignLab.Engine.Datasets;

/// <summary>
/// How to read a dataset file: the field names (defaults <c>prompt</c>, <c>chosen</c>, <c>rejected</c>), what to do
/// with bad rows (<see cref="OnBadRow"/>, default stop), and the longest prompt allowed: <see cref="MaxPromptLength"/>
/// units of <see cref="PromptLength"/> (default: characters; give a tokenizer's count to limit tokens). Null: no limit.
/// With a <see cref="ChatTemplate"/> (default none) every prompt is the template's rendering — a prompt as one user turn,
/// an Anthropic-HH conversation's turns before its final assistant turn as user/assistant turns — ending with the
/// generation prompt, and the limit applies to that text.
/// </summary>
public sealed record DatasetOptions(
    string PromptField = "prompt",
    string ChosenField = "chosen",
    string RejectedField = "rejected",
    BadRows OnBadRow = BadRows.Stop,
    int? MaxPromptLength = null,
    Func<string, int>? PromptLength = null,
    ChatTemplate? ChatTemplate = null)
{
    /// <summary>The length of <paramref name="prompt"/> in the units of <see cref="MaxPromptLength"/>.</summary>
    public int LengthOf(string prompt) => PromptLength?.Invoke(prompt) ?? prompt.Length;
}
