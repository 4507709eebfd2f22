using System.Text.Json.Serialization;
using AlignLab.Engine.Datasets;
using AlignLab.Models.Tokenization;
using Parquet.Serialization;

namespace AlignLab.Engine.Tests.Datasets;

/// <summary>
/// Prompt, preference and HH-conversation files in JSONL and Parquet: good rows read with their lines; each kind of bad
/// row (missing field, non-text field, empty text, over-long prompt, invalid JSON, a conversation without a final
/// assistant turn) stops the read naming file and line, or is skipped and counted.
/// </summary>
public sealed class DatasetReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Jsonl(params string[] lines)
    {
        var path = Path.Combine(_dir, $"data{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Prompts_are_read_with_their_lines_from_a_configurable_field()
    {
        var path = Jsonl("""{"text": "Hello", "id": 1}""", "", """{"text": "World"}""");
        var data = DatasetReader.ReadPrompts(path, new DatasetOptions(PromptField: "text"));
        Assert.Equal([new PromptRow("Hello", 1), new PromptRow("World", 3)], data.Rows);
        Assert.Empty(data.Skipped);
    }

    public static TheoryData<string, string> BadPromptRows() => new()
    {
        { """{"other": "x"}""", "\"prompt\" is missing or null" },
        { """{"prompt": 7}""", "\"prompt\" is not text" },
        { """{"prompt": "  "}""", "\"prompt\" is empty" },
        { """{"prompt": "far too long"}""", "the prompt is 12 long; the limit is 8" },
        { """{"prompt": "unterminated""", "not valid JSON" },
        { """["prompt"]""", "not a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadPromptRows))]
    public void A_bad_row_stops_the_read_naming_file_and_line(string badLine, string problem)
    {
        var path = Jsonl("""{"prompt": "fine"}""", badLine, """{"prompt": "also fine"}""");
        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadPrompts(path, new DatasetOptions(MaxPromptLength: 8)));
        Assert.StartsWith($"{path}:2: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadPromptRows))]
    public void A_bad_row_is_skipped_and_counted_when_asked(string badLine, string problem)
    {
        var path = Jsonl("""{"prompt": "fine"}""", badLine, """{"prompt": "also ok"}""", badLine);
        var data = DatasetReader.ReadPrompts(path, new DatasetOptions(OnBadRow: BadRows.Skip, MaxPromptLength: 8));
        Assert.Equal(["fine", "also ok"], data.Rows.Select(r => r.Prompt));
        Assert.Equal([2, 4], data.Skipped.Select(s => s.Line));
        Assert.All(data.Skipped, s => Assert.Contains(problem, s.Message));
        Assert.Contains("2 bad rows skipped", data.Summary);
    }

    [Fact]
    public void The_prompt_limit_counts_in_the_units_given()
    {
        var path = Jsonl("""{"prompt": "one two three"}""", """{"prompt": "one two three four"}""");
        var words = new DatasetOptions(OnBadRow: BadRows.Skip, MaxPromptLength: 3, PromptLength: p => p.Split(' ').Length);
        var data = DatasetReader.ReadPrompts(path, words);
        Assert.Single(data.Rows);
        Assert.Contains("is 4 long; the limit is 3", data.Skipped.Single().Message);
    }

    [Fact]
    public void A_file_without_good_rows_is_an_error_even_when_skipping()
    {
        var path = Jsonl("""{"x": "a"}""");
        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadPrompts(path, new DatasetOptions(OnBadRow: BadRows.Skip)));
        Assert.Contains("no usable rows", e.Message);
        Assert.Contains($"{path}:1:", e.Message);
        Assert.Throws<FileNotFoundException>(() => DatasetReader.ReadPrompts(Path.Combine(_dir, "missing.jsonl")));
    }

    [Fact]
    public void Preference_pairs_need_all_three_fields()
    {
        var path = Jsonl("""{"prompt": "Q", "chosen": "good", "rejected": "bad"}""", """{"prompt": "Q", "chosen": "good"}""");
        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadPreferences(path));
        Assert.Equal($"{path}:2: \"rejected\" is missing or null.", e.Message);
        var data = DatasetReader.ReadPreferences(path, new DatasetOptions(OnBadRow: BadRows.Skip));
        Assert.Equal([new PreferenceRow("Q", "good", "bad", 1)], data.Rows);
    }

    [Fact]
    public void Hh_conversations_split_into_prompt_and_final_assistant_turn()
    {
        const string prompt = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Tell me a joke.\n\nAssistant:";
        var path = Jsonl(
            System.Text.Json.JsonSerializer.Serialize(new { chosen = prompt + " Why did the chicken cross the road?", rejected = prompt + " No." }),
            System.Text.Json.JsonSerializer.Serialize(new { chosen = "\n\nHuman: Hi", rejected = "\n\nHuman: Hi" }),
            System.Text.Json.JsonSerializer.Serialize(new { chosen = prompt + " A", rejected = "\n\nHuman: Other\n\nAssistant: B" }));
        var data = DatasetReader.ReadConversations(path, new DatasetOptions(OnBadRow: BadRows.Skip));
        var row = Assert.Single(data.Rows);
        Assert.Equal(prompt, row.Prompt);
        Assert.Equal(" Why did the chicken cross the road?", row.Chosen);
        Assert.Equal(" No.", row.Rejected);
        Assert.Contains("no \"\\n\\nAssistant:\" turn", data.Skipped[0].Message);
        Assert.Contains("differ before their final assistant turn", data.Skipped[1].Message);
        Assert.Equal([2, 3], data.Skipped.Select(s => s.Line));
    }

    // Meta-Llama-3-8B-Instruct's chat template (Tokenization/Fixtures/chat/llama3).
    private static ChatTemplate Llama3 => ChatTemplate.Load(Path.Combine(AppContext.BaseDirectory, "Tokenization", "Fixtures", "chat", "llama3"));

    [Fact]
    public void With_a_chat_template_prompts_and_pairs_are_rendered_as_one_user_turn_and_the_limit_counts_the_rendering()
    {
        var path = Jsonl("""{"prompt": " Why is the sky blue? ", "chosen": "Light.", "rejected": "No."}""", """{"prompt": "Hi", "chosen": "a", "rejected": "b"}""");
        var options = new DatasetOptions(ChatTemplate: Llama3);
        const string rendered = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        Assert.Equal(rendered, DatasetReader.ReadPrompts(path, options).Rows[0].Prompt);
        Assert.Equal(new PreferenceRow(rendered, "Light.", "No.", 1), DatasetReader.ReadPreferences(path, options).Rows[0]);
        // The limit counts the rendering: the question's is 136 characters (20 of them its text), "Hi"'s 118.
        var limited = DatasetReader.ReadPrompts(path, options with { MaxPromptLength = 120, OnBadRow = BadRows.Skip });
        Assert.Equal(["the prompt is 136 long; the limit is 120."], limited.Skipped.Select(s => s.Message));
        Assert.Equal([2], limited.Rows.Select(r => r.Line));
    }

    [Fact]
    public void With_a_chat_template_an_hh_conversation_becomes_its_turns_and_the_responses_are_trimmed()
    {
        const string prompt = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Tell me a joke.\n\nAssistant:";
        Assert.Equal([ChatMessage.User("Hi"), ChatMessage.Assistant("Hello!"), ChatMessage.User("Tell me a joke.")], DatasetReader.Turns(prompt));
        var path = Jsonl(System.Text.Json.JsonSerializer.Serialize(new { chosen = prompt + " Why did the chicken cross the road?", rejected = prompt + " No." }));
        var row = Assert.Single(DatasetReader.ReadConversations(path, new DatasetOptions(ChatTemplate: Llama3)).Rows);
        Assert.Equal(Llama3.Render([ChatMessage.User("Hi"), ChatMessage.Assistant("Hello!"), ChatMessage.User("Tell me a joke.")]), row.Prompt);
        Assert.Equal("Why did the chicken cross the road?", row.Chosen);
        Assert.Equal("No.", row.Rejected);

        // A single-turn {prompt} template cannot hold the earlier turns: that row is bad, named by file and line.
        var single = new DatasetOptions(ChatTemplate: ChatTemplate.Parse("Q: {prompt}\nA:", "qa.txt"));
        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadConversations(path, single));
        Assert.Equal($"{path}:1: the chat template of qa.txt has a {{prompt}} placeholder, so it takes one user turn; got 3 turns (user, assistant, user). Give the model's own template for conversations.", error.Message);
        var oneTurn = Jsonl(System.Text.Json.JsonSerializer.Serialize(new { chosen = "\n\nHuman: Hi\n\nAssistant: a", rejected = "\n\nHuman: Hi\n\nAssistant: b" }));
        Assert.Equal("Q: Hi\nA:", Assert.Single(DatasetReader.ReadConversations(oneTurn, single).Rows).Prompt);
    }

    private sealed class ParquetRow
    {
        [JsonPropertyName("prompt")] public string? Prompt { get; set; }
        [JsonPropertyName("chosen")] public string? Chosen { get; set; }
        [JsonPropertyName("rejected")] public string? Rejected { get; set; }
    }

    [Fact]
    public async Task Parquet_files_read_like_jsonl_with_row_numbers()
    {
        var path = Path.Combine(_dir, "pairs.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new ParquetRow { Prompt = "Q1", Chosen = "a", Rejected = "b" },
            new ParquetRow { Prompt = "Q2", Chosen = "", Rejected = "d" },
            new ParquetRow { Prompt = null, Chosen = "e", Rejected = "f" },
            new ParquetRow { Prompt = "Q4", Chosen = "g", Rejected = "h" },
        }, path);
        var data = DatasetReader.ReadPreferences(path, new DatasetOptions(OnBadRow: BadRows.Skip));
        Assert.Equal([new PreferenceRow("Q1", "a", "b", 1), new PreferenceRow("Q4", "g", "h", 4)], data.Rows);
        Assert.Equal([$"{path}: row 2: \"chosen\" is empty.", $"{path}: row 3: \"prompt\" is missing or null."], data.Skipped.Select(s => s.ToString()));
        Assert.Equal(["Q1", "Q2", "Q4"], DatasetReader.ReadPrompts(path, new DatasetOptions(OnBadRow: BadRows.Skip)).Rows.Select(r => r.Prompt));

        var broken = Path.Combine(_dir, "broken.parquet");
        File.WriteAllText(broken, "not parquet");
        Assert.Contains("is not a readable Parquet file", Assert.Throws<InvalidDataException>(() => DatasetReader.ReadPrompts(broken)).Message);
    }
}
