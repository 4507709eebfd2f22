using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Models.Tokenization;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// <see cref="ChatTemplate"/> against real Jinja: Fixtures/chat holds the models' own chat templates and what Jinja
/// (with transformers' settings) renders for each conversation, with and without the generation prompt, or the error
/// the template raises (make_chat_fixtures.py). Anything else is refused with one error that says to pass a template.
/// </summary>
public sealed class ChatTemplateTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Tokenization", "Fixtures", "chat");
    private readonly TokenizerFixtures _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("chatml", ChatTemplateFamily.ChatMl)]
    [InlineData("smollm2", ChatTemplateFamily.ChatMl)]
    [InlineData("qwen2.5", ChatTemplateFamily.ChatMl)]
    [InlineData("llama3", ChatTemplateFamily.Llama3)]
    [InlineData("llama2", ChatTemplateFamily.Llama2)]
    [InlineData("mistral", ChatTemplateFamily.Mistral)]
    [InlineData("gemma", ChatTemplateFamily.Gemma)]
    [InlineData("zephyr", ChatTemplateFamily.Zephyr)]
    public void Renders_every_conversation_as_real_jinja_does(string name, ChatTemplateFamily family)
    {
        var template = ChatTemplate.Load(Path.Combine(Fixtures, name));
        Assert.Equal(family, template.Family);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;
        var cases = expected["cases"]!.AsArray().Where(c => (string)c!["template"]! == name).ToArray();
        Assert.Equal(14, cases.Length);
        foreach (var c in cases)
        {
            var messages = expected["conversations"]![(string)c!["conversation"]!]!.AsArray()
                .Select(m => new ChatMessage((string)m!["role"]!, (string)m["content"]!)).ToArray();
            bool generation = (bool)c["add_generation_prompt"]!;
            var label = $"{name} / {c["conversation"]} / add_generation_prompt={generation}";
            if (c["error"] is { } error)
            {
                var refused = Assert.Throws<ArgumentException>(() => template.Render(messages, generation));
                Assert.True(refused.Message.Contains((string)error!, StringComparison.Ordinal), $"{label}: {refused.Message}");
            }
            else
            {
                Assert.True((string)c["expected"]! == template.Render(messages, generation),
                    $"{label}:\nexpected {Quoted((string)c["expected"]!)}\nrendered {Quoted(template.Render(messages, generation))}");
            }
        }
    }

    [Fact]
    public void A_chatml_template_keeps_its_default_system_turn()
    {
        Assert.Equal("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", ChatTemplate.Load(Path.Combine(Fixtures, "qwen2.5")).DefaultSystemMessage);
        Assert.Null(ChatTemplate.Load(Path.Combine(Fixtures, "chatml")).DefaultSystemMessage);
    }

    [Fact]
    public void A_placeholder_template_takes_one_user_turn()
    {
        var template = ChatTemplate.Parse("Question: {prompt}\nAnswer:", "prompt.txt");
        Assert.Equal(ChatTemplateFamily.Placeholder, template.Family);
        Assert.Equal("Question: Why?\nAnswer:", template.Render("Why?"));
        // Chat markers in a user template are only text: it is not mistaken for the model's Jinja.
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n", ChatTemplate.Parse("<|im_start|>user\n{prompt}<|im_end|>\n").Render("Hi"));

        var multi = Assert.Throws<ArgumentException>(() => template.Render([ChatMessage.User("a"), ChatMessage.Assistant("b"), ChatMessage.User("c")]));
        Assert.Contains("prompt.txt has a {prompt} placeholder, so it takes one user turn; got 3 turns (user, assistant, user)", multi.Message);
        var noPlaceholder = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse("Answer the question.", "prompt.txt"));
        Assert.Equal("prompt.txt: a chat template text must contain the placeholder {prompt} where the prompt goes.", noPlaceholder.Message);
    }

    [Theory]
    [InlineData("mistral-v3", "looks like a [INST] template but is a variant that is neither Llama-2-chat's nor Mistral-7B-Instruct v0.1/v0.2's")]
    [InlineData("vicuna", "is not of a family AlignLab recognises")]
    public void A_template_of_another_format_is_refused_naming_the_file_and_saying_to_pass_one(string name, string problem)
    {
        var folder = Path.Combine(Fixtures, name);
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplate.Load(folder));
        Assert.StartsWith($"{Path.Combine(folder, "tokenizer_config.json")}: the chat template {problem}; ", e.Message);
        Assert.EndsWith("pass a template instead: a text with a {prompt} placeholder.", e.Message);
    }

    [Fact]
    public void Variants_that_render_differently_are_refused()
    {
        var llama3 = Template("llama3");
        var dated = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse("{{ 'Cutting Knowledge Date: December 2023' }}" + llama3, "llama31"));
        Assert.Contains("looks like a Llama-3 template but is a variant with Llama-3.1's dated system header", dated.Message);
        var thinking = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse(Template("chatml") + "{{ '<think>\\n' }}", "qwen3"));
        Assert.Contains("with reasoning blocks", thinking.Message);
        // One changed expression (no trim of the content) is a different rendering, so it is refused too.
        var untrimmed = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse(llama3.Replace("| trim", "", StringComparison.Ordinal), "edited"));
        Assert.Contains("edited: the chat template looks like a Llama-3 template", untrimmed.Message);
    }

    [Fact]
    public void A_chatml_or_zephyr_template_may_write_bos_first_but_not_inside_its_turns()
    {
        // Hermes-2-style: {{bos_token}} before the ChatML turns; the turns themselves are unchanged.
        var hermes = ChatTemplate.Parse("{{bos_token}}" + Template("chatml"), "hermes", "<s>", "<|im_end|>");
        Assert.Equal("<s>" + ChatTemplate.Parse(Template("chatml")).Render("Hi"), hermes.Render("Hi"));
        var zephyr = ChatTemplate.Parse("{{ bos_token }}" + Template("zephyr"), "zephyr", "<s>", "</s>");
        Assert.Equal("<s><|user|>\nHi</s>\n<|assistant|>\n", zephyr.Render("Hi"));
        var inside = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse(Template("chatml").Replace("'<|im_start|>' +", "bos_token + '<|im_start|>' +", StringComparison.Ordinal), "bos-turns"));
        Assert.Contains("looks like a ChatML template but is a variant that writes bos_token inside its turns", inside.Message);
    }

    [Fact]
    public void A_folder_without_a_template_is_one_error_naming_it()
    {
        var folder = _scratch.EmptyFolder();
        TokenizerFixtures.Edit(folder, "tokenizer_config.json", json => json["eos_token"] = "</s>");
        Assert.False(ChatTemplate.Exists(folder));
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplate.Load(folder));
        Assert.Equal($"{folder} has no chat template (chat_template in tokenizer_config.json, or chat_template.jinja); pass one: a text with a {{prompt}} placeholder.", e.Message);
    }

    [Fact]
    public void The_template_is_read_from_chat_template_jinja_or_the_default_of_a_named_list()
    {
        var folder = _scratch.CopyOf(Path.Combine(Fixtures, "zephyr"));
        TokenizerFixtures.Edit(folder, "tokenizer_config.json", json => json["chat_template"] = new JsonArray(
            new JsonObject { ["name"] = "tool_use", ["template"] = Template("chatml") },
            new JsonObject { ["name"] = "default", ["template"] = Template("llama3") }));
        Assert.Equal(ChatTemplateFamily.Llama3, ChatTemplate.Load(folder).Family);
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), Template("gemma"));
        var gemma = ChatTemplate.Load(folder);
        Assert.Equal(ChatTemplateFamily.Gemma, gemma.Family);
        Assert.Equal(Path.Combine(folder, "chat_template.jinja"), gemma.Source);
        // The folder's bos_token is the one written ("<s>" for this folder, not Gemma's "<bos>").
        Assert.StartsWith("<s><start_of_turn>user\n", gemma.Render("Hi"));
    }

    [Fact]
    public void A_rendered_template_that_starts_with_bos_is_encoded_with_one_bos()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerFixtures.ByteLevel);
        var template = ChatTemplate.Parse(Template("llama3"), "llama3", "<|begin_of_text|>", "<|eot_id|>");
        var text = template.Render("the");
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>", text);
        var ids = tokenizer.EncodePrompt(text);
        Assert.Equal(tokenizer.Encode(text), ids);
        Assert.Single(ids, id => id == tokenizer.SpecialIds.Bos);
        // Text without it still gets the BOS the tokenizer adds.
        Assert.Equal([262, .. tokenizer.Encode("the")], tokenizer.EncodePrompt("the"));
    }

    private static string Quoted(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static string Template(string name) =>
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, name, "tokenizer_config.json")))!["chat_template"]!;
}
