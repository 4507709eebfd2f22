using System.Text.RegularExpressions;
using AlignLab.Models.Tokenization;

namespace AlignLab.Engine.Datasets;

/// <summary>
/// Prompt sets, preference pairs and Anthropic-HH conversations from JSONL or Parquet files (see
/// <see cref="DatasetOptions"/> for field names, bad rows and the prompt limit). A bad row — a missing or non-text
/// field, empty text, an over-long prompt, a line that is not a JSON object, a conversation without a final assistant
/// turn — is reported with its file and line: the read stops there (an <see cref="InvalidDataException"/> whose message is the <see cref="DatasetError"/>) or the row is
/// left out and listed in <see cref="Dataset{T}.Skipped"/>. A file without a single good row is an error either way.
/// With <see cref="DatasetOptions.ChatTemplate"/> the prompts are rendered for an instruct model (a conversation the
/// template refuses is a bad row too).
/// </summary>
public static partial class DatasetReader
{
    /// <summary>The marker that starts an assistant turn in Anthropic HH conversations.</summary>
    public const string AssistantTurn = "\n\nAssistant:";

    /// <summary>The marker that starts a human turn in Anthropic HH conversations.</summary>
    public const string HumanTurn = "\n\nHuman:";

    /// <summary>Prompts from the <see cref="DatasetOptions.PromptField"/> field of each row.</summary>
    public static Dataset<PromptRow> ReadPrompts(string path, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        return Read(path, options, row =>
        {
            var prompt = Rendered(() => [ChatMessage.User(Text(row, options.PromptField))], options);
            CheckPrompt(prompt, options);
            return new PromptRow(prompt, row.Line);
        });
    }

    /// <summary>Preference pairs from the prompt, chosen and rejected fields of each row.</summary>
    public static Dataset<PreferenceRow> ReadPreferences(string path, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        return Read(path, options, row =>
        {
            var prompt = Rendered(() => [ChatMessage.User(Text(row, options.PromptField))], options);
            CheckPrompt(prompt, options);
            return new PreferenceRow(prompt, Text(row, options.ChosenField), Text(row, options.RejectedField), row.Line);
        });
    }

    /// <summary>
    /// Preference pairs from Anthropic-HH style rows: the chosen and rejected fields each hold a whole conversation
    /// ("\n\nHuman: … \n\nAssistant: …"); the prompt is everything up to and including the last
    /// <see cref="AssistantTurn"/> marker, the response the final assistant turn after it (as the DPO reference code
    /// splits HH). The two conversations must share that prompt. With a chat template the prompt is the rendering of
    /// its turns (<see cref="Turns"/>) and the responses are trimmed, as an assistant turn's content.
    /// </summary>
    public static Dataset<PreferenceRow> ReadConversations(string path, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions(ChosenField: "chosen", RejectedField: "rejected");
        return Read(path, options, row =>
        {
            var (prompt, chosen) = SplitConversation(Text(row, options.ChosenField), options.ChosenField);
            var (rejectedPrompt, rejected) = SplitConversation(Text(row, options.RejectedField), options.RejectedField);
            if (prompt != rejectedPrompt)
                throw new RowException($"the {options.ChosenField} and {options.RejectedField} conversations differ before their final assistant turn.");
            if (chosen.Trim().Length == 0 || rejected.Trim().Length == 0)
                throw new RowException("a final assistant turn is empty.");
            if (options.ChatTemplate is not null)
                (prompt, chosen, rejected) = (Rendered(() => Turns(prompt), options), chosen.Trim(), rejected.Trim());
            CheckPrompt(prompt, options);
            return new PreferenceRow(prompt, chosen, rejected, row.Line);
        });
    }

    /// <summary>(prompt, final assistant turn) of an HH conversation.</summary>
    public static (string Prompt, string Response) SplitConversation(string conversation, string field = "conversation")
    {
        var at = conversation.LastIndexOf(AssistantTurn, StringComparison.Ordinal);
        if (at < 0) throw new RowException($"the {field} conversation has no \"\\n\\nAssistant:\" turn.");
        var end = at + AssistantTurn.Length;
        return (conversation[..end], conversation[end..]);
    }

    /// <summary>
    /// The turns of an HH prompt (<see cref="SplitConversation"/>'s prompt, ending with the final <see cref="AssistantTurn"/>
    /// marker): each "Human:" a user turn, each earlier "Assistant:" an assistant turn, contents trimmed. The final
    /// marker opens the turn to generate, so it gives none.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt does not start with a <see cref="HumanTurn"/>.</exception>
    public static IReadOnlyList<ChatMessage> Turns(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var markers = HhMarker().Matches(prompt);
        if (markers.Count == 0 || prompt[..markers[0].Index].Trim().Length > 0)
            throw new ArgumentException("the conversation does not start with a \"\\n\\nHuman:\" turn.");
        var turns = new List<ChatMessage>(markers.Count);
        for (int i = 0; i < markers.Count; i++)
        {
            int start = markers[i].Index + markers[i].Length, end = i + 1 < markers.Count ? markers[i + 1].Index : prompt.Length;
            var content = prompt[start..end].Trim();
            bool human = markers[i].Value == HumanTurn;
            if (i == markers.Count - 1 && !human && content.Length == 0) break;
            turns.Add(human ? ChatMessage.User(content) : ChatMessage.Assistant(content));
        }
        return turns;
    }

    [GeneratedRegex("\n\n(?:Human|Assistant):")]
    private static partial Regex HhMarker();

    /// <summary>
    /// The prompt of <paramref name="turns"/>: the chat template's rendering, or the one turn's text when there is none.
    /// A conversation that cannot be split into turns or that the template refuses is a bad row.
    /// </summary>
    private static string Rendered(Func<IReadOnlyList<ChatMessage>> turns, DatasetOptions options)
    {
        try
        {
            var messages = turns();
            return options.ChatTemplate?.Render(messages)
                ?? (messages is [var one] ? one.Content : throw new InvalidOperationException("a conversation needs a chat template."));
        }
        catch (ArgumentException e)
        {
            throw new RowException(e.Message);
        }
    }

    private static Dataset<T> Read<T>(string path, DatasetOptions options, Func<DatasetFile.RawRow, T> parse)
    {
        var rows = new List<T>();
        var skipped = new List<DatasetError>();
        foreach (var row in DatasetFile.Read(path))
        {
            try
            {
                if (row.Error is not null) throw new RowException(row.Error);
                rows.Add(parse(row));
            }
            catch (RowException e)
            {
                var error = new DatasetError(path, row.Line, e.Message);
                if (options.OnBadRow == BadRows.Stop) throw new InvalidDataException(error.ToString());
                skipped.Add(error);
            }
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"'{path}' has no usable rows" + (skipped.Count > 0 ? $" (all {skipped.Count} are bad; the first: {skipped[0]})." : "."));
        return new Dataset<T>(path, rows, skipped);
    }

    private static string Text(DatasetFile.RawRow row, string field)
    {
        if (!row.Fields.TryGetValue(field, out var value)) throw new RowException($"\"{field}\" is missing or null.");
        if (value is null) throw new RowException($"\"{field}\" is not text.");
        if (value.Trim().Length == 0) throw new RowException($"\"{field}\" is empty.");
        return value;
    }

    private static void CheckPrompt(string prompt, DatasetOptions options)
    {
        if (options.MaxPromptLength is { } max && options.LengthOf(prompt) is var length && length > max)
            throw new RowException($"the prompt is {length} long; the limit is {max}.");
    }

    /// <summary>What is wrong with one row (caught by <see cref="Read"/>, which adds the file and line).</summary>
    private sealed class RowException(string message) : Exception(message);
}
