using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// How an instruct model wants a conversation written as its prompt. Two kinds: (a) the Jinja <c>chat_template</c> of a
/// model folder, recognised as one of the common families (<see cref="ChatTemplateFamily"/>: ChatML/Qwen, Llama-3,
/// Llama-2, Mistral, Gemma, Zephyr) and rendered exactly as transformers' <c>apply_chat_template</c> renders it — AlignLab
/// has no Jinja engine, so any other template is refused with an error that says to pass one; (b) a text with a
/// <c>{prompt}</c> placeholder, given by the user, for one user turn.
/// </summary>
/// <remarks>
/// A family is recognised by its marker and accepted only when the template holds the expressions that decide its output
/// (the turn format, the generation prompt, the checks it raises), so a variant that renders differently (Llama-3.1's
/// dated system header, Mistral v3's <c>[INST]</c> spacing, Qwen3's reasoning blocks) is refused rather than rendered
/// wrong. The renderings are checked against real Jinja on the models' own templates (the test fixtures).
/// </remarks>
public sealed partial class ChatTemplate
{
    /// <summary>The placeholder a user template writes where the prompt goes.</summary>
    public const string Placeholder = "{prompt}";

    private const string Families = "ChatML/Qwen, Llama-3, Llama-2, Mistral [INST], Gemma, Zephyr";

    private readonly string _text;
    private readonly string _bos;
    private readonly string _eos;
    private readonly bool _writesBos;

    private ChatTemplate(ChatTemplateFamily family, string source, string text, string bos, string eos, bool writesBos, string? defaultSystem)
    {
        Family = family;
        Source = source;
        _text = text;
        _bos = bos;
        _eos = eos;
        _writesBos = writesBos;
        DefaultSystemMessage = defaultSystem;
    }

    /// <summary>The format it renders.</summary>
    public ChatTemplateFamily Family { get; }

    /// <summary>Where it was read from (a model folder's file, a template file, or "script"), for messages.</summary>
    public string Source { get; }

    /// <summary>The system turn a ChatML template writes when the conversation has none (Qwen's "You are Qwen, …"), or null.</summary>
    public string? DefaultSystemMessage { get; }

    /// <summary>Whether <paramref name="folder"/> has a chat template (<c>chat_template.jinja</c>, <c>chat_template.json</c> or <c>chat_template</c> in <c>tokenizer_config.json</c>).</summary>
    public static bool Exists(string folder) => ReadTemplate(folder) is not null;

    /// <summary>
    /// The chat template of the model folder <paramref name="folder"/>: <c>chat_template.jinja</c>, else
    /// <c>chat_template.json</c>, else the <c>chat_template</c> of <c>tokenizer_config.json</c> (a string, or a list of
    /// named templates of which "default" is used), with the folder's <c>bos_token</c> and <c>eos_token</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder has no chat template, or one that is not of a family AlignLab renders; the message names the folder and says to pass a template.</exception>
    public static ChatTemplate Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder.");
        var (template, source) = ReadTemplate(folder)
            ?? throw new InvalidDataException($"{folder} has no chat template (chat_template in tokenizer_config.json, or chat_template.jinja); pass one: a text with a {Placeholder} placeholder.");
        var (bos, eos) = SpecialTokens(folder);
        return Parse(template, source, bos, eos);
    }

    /// <summary>
    /// The template a <c>none|auto|FILE</c> choice names for the model folder <paramref name="modelFolder"/>, as
    /// <c>alignlab bon build --chat-template</c> and real tasks take it: <c>none</c> → null (prompts are encoded as they
    /// are), <c>auto</c> → the folder's own template (<see cref="Load"/>), anything else → the template file (<see cref="Read"/>).
    /// </summary>
    public static ChatTemplate? FromOption(string option, string modelFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(option);
        return option switch
        {
            NoneOption => null,
            AutoOption => Load(modelFolder),
            _ => Read(option, modelFolder),
        };
    }

    /// <summary>The <see cref="FromOption"/> choice that encodes prompts without a template.</summary>
    public const string NoneOption = "none";

    /// <summary>The <see cref="FromOption"/> choice that uses the model folder's own template.</summary>
    public const string AutoOption = "auto";

    /// <summary>
    /// <paramref name="option"/> as a run records it: <c>none</c> and <c>auto</c> as they are, a template file as its full
    /// path (so a resumed build or run in another working folder reads the same file).
    /// </summary>
    public static string RecordedOption(string option) => option is NoneOption or AutoOption ? option : Path.GetFullPath(option);

    /// <summary>
    /// The template in the file <paramref name="path"/> for the model folder <paramref name="modelFolder"/>: a text with a
    /// <c>{prompt}</c> placeholder, or a Jinja chat template of a recognised family (rendered with the folder's BOS and EOS).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is neither; the message names it.</exception>
    public static ChatTemplate Read(string path, string modelFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"chat template file '{path}' does not exist.", path);
        var (bos, eos) = SpecialTokens(modelFolder);
        return Parse(File.ReadAllText(path), path, bos, eos);
    }

    /// <summary>
    /// A template from its text: a <c>{prompt}</c> text (no Jinja tags), or a Jinja chat template of a recognised family,
    /// rendered with <paramref name="bosToken"/> and <paramref name="eosToken"/> where it writes <c>bos_token</c> / <c>eos_token</c>.
    /// </summary>
    /// <param name="template">The template text.</param>
    /// <param name="source">Where it comes from, for messages (a file, a folder, "script").</param>
    /// <param name="bosToken">The model's BOS token text (tokenizer_config.json's <c>bos_token</c>); empty when it has none.</param>
    /// <param name="eosToken">The model's EOS token text (<c>eos_token</c>); empty when it has none.</param>
    /// <exception cref="InvalidDataException">Neither kind: the message names <paramref name="source"/> and says what to pass.</exception>
    public static ChatTemplate Parse(string template, string source = "script", string bosToken = "", string eosToken = "")
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(bosToken);
        ArgumentNullException.ThrowIfNull(eosToken);
        bool jinja = template.Contains("{{", StringComparison.Ordinal) || template.Contains("{%", StringComparison.Ordinal);
        if (!jinja)
        {
            return template.Contains(Placeholder, StringComparison.Ordinal)
                ? new ChatTemplate(ChatTemplateFamily.Placeholder, source, template, bosToken, eosToken, writesBos: false, defaultSystem: null)
                : throw new InvalidDataException($"{source}: a chat template text must contain the placeholder {Placeholder} where the prompt goes.");
        }
        var code = Normalise(template);
        var (family, problem) = Recognise(code);
        if (problem is not null)
            throw new InvalidDataException($"{source}: the chat template {problem}; AlignLab renders the common families exactly ({Families}) — pass a template instead: a text with a {Placeholder} placeholder.");
        string? defaultSystem = family == ChatTemplateFamily.ChatMl && ChatMlDefaultSystem().Match(code) is { Success: true } m ? m.Groups[1].Value : null;
        return new ChatTemplate(family, source, template, bosToken, eosToken, code.Contains("bos_token", StringComparison.Ordinal), defaultSystem);
    }

    /// <summary>
    /// The prompt text of <paramref name="messages"/>, exactly as the model's Jinja template renders it, ending with the
    /// generation prompt (the opening of the assistant's turn) when <paramref name="addGenerationPrompt"/>. A template
    /// that writes <c>bos_token</c> puts it in the text (Llama-3, Llama-2, Mistral, Gemma), and
    /// <see cref="ModelTokenizer.EncodePrompt"/> then adds no second one. A <c>{prompt}</c> template gives its text with the
    /// user turn in place, whatever <paramref name="addGenerationPrompt"/> says: where the answer starts is up to its author.
    /// </summary>
    /// <exception cref="ArgumentException">No messages, or a conversation the template refuses (the template's own message: a
    /// system turn Gemma or Mistral do not take, roles that do not alternate), or more than one user turn for a <c>{prompt}</c> template.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("no messages to render.", nameof(messages));
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message);
            ArgumentException.ThrowIfNullOrEmpty(message.Role, nameof(messages));
            ArgumentNullException.ThrowIfNull(message.Content, nameof(messages));
        }
        var text = new StringBuilder();
        switch (Family)
        {
            case ChatTemplateFamily.Placeholder:
                if (messages is not [{ Role: "user" } single])
                    throw new ArgumentException($"the chat template of {Source} has a {Placeholder} placeholder, so it takes one user turn; got {Describe(messages)}. Give the model's own template for conversations.");
                return _text.Replace(Placeholder, single.Content, StringComparison.Ordinal);

            case ChatTemplateFamily.ChatMl:
                if (_writesBos) text.Append(_bos);
                if (DefaultSystemMessage is not null && messages[0].Role != "system")
                    text.Append("<|im_start|>system\n").Append(DefaultSystemMessage).Append("<|im_end|>\n");
                foreach (var m in messages) text.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
                if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
                break;

            case ChatTemplateFamily.Llama3:
                if (_writesBos) text.Append(_bos);
                foreach (var m in messages) text.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n").Append(m.Content.Trim()).Append("<|eot_id|>");
                if (addGenerationPrompt) text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                break;

            case ChatTemplateFamily.Llama2:
            {
                // The system turn goes inside the first [INST]; the generation prompt is implicit (the text ends with [/INST]).
                var system = messages[0].Role == "system" ? messages[0].Content : null;
                var turns = system is null ? messages : messages.Skip(1).ToArray();
                for (int i = 0; i < turns.Count; i++)
                {
                    CheckAlternation(turns[i], i);
                    var content = i == 0 && system is not null ? $"<<SYS>>\n{system}\n<</SYS>>\n\n{turns[i].Content}" : turns[i].Content;
                    if (turns[i].Role == "user") text.Append(_bos).Append("[INST] ").Append(content.Trim()).Append(" [/INST]");
                    else if (turns[i].Role == "assistant") text.Append(' ').Append(content.Trim()).Append(' ').Append(_eos);
                }
                break;
            }

            case ChatTemplateFamily.Mistral:
                text.Append(_bos);
                for (int i = 0; i < messages.Count; i++)
                {
                    CheckAlternation(messages[i], i);
                    text.Append(messages[i].Role switch
                    {
                        "user" => $"[INST] {messages[i].Content} [/INST]",
                        "assistant" => messages[i].Content + _eos,
                        _ => throw Refused("Only user and assistant roles are supported!"),
                    });
                }
                break;

            case ChatTemplateFamily.Gemma:
                if (messages[0].Role == "system") throw Refused("System role not supported");
                if (_writesBos) text.Append(_bos);
                for (int i = 0; i < messages.Count; i++)
                {
                    CheckAlternation(messages[i], i);
                    text.Append("<start_of_turn>").Append(messages[i].Role == "assistant" ? "model" : messages[i].Role).Append('\n')
                        .Append(messages[i].Content.Trim()).Append("<end_of_turn>\n");
                }
                if (addGenerationPrompt) text.Append("<start_of_turn>model\n");
                break;

            case ChatTemplateFamily.Zephyr:
                // Roles other than these three write nothing; each turn ends with EOS and the newline after the template's {{ … }}.
                if (_writesBos) text.Append(_bos);
                foreach (var m in messages)
                {
                    if (m.Role is "user" or "system" or "assistant") text.Append("<|").Append(m.Role).Append("|>\n").Append(m.Content).Append(_eos).Append('\n');
                }
                if (addGenerationPrompt) text.Append("<|assistant|>\n");
                break;

            default:
                throw new InvalidOperationException($"unknown chat template family {Family}.");
        }
        return text.ToString();
    }

    /// <summary>The prompt text of one user turn <paramref name="prompt"/>, with the generation prompt.</summary>
    public string Render(string prompt) => Render([ChatMessage.User(prompt)]);

    /// <summary>One line for people: the family and where the template came from.</summary>
    public override string ToString() => Family switch
    {
        ChatTemplateFamily.Placeholder => $"{Placeholder} template ({Source})",
        ChatTemplateFamily.ChatMl when DefaultSystemMessage is not null => $"ChatML chat template with a default system turn ({Source})",
        _ => $"{Family} chat template ({Source})",
    };

    // The templates' own check: after an optional system turn, user at even positions and assistant at odd ones.
    private void CheckAlternation(ChatMessage message, int index)
    {
        if ((message.Role == "user") != (index % 2 == 0)) throw Refused("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    private ArgumentException Refused(string templateMessage) => new($"the {Family} chat template of {Source} refuses the conversation: {templateMessage}");

    private static string Describe(IReadOnlyList<ChatMessage> messages) =>
        messages.Count == 1 ? $"one {messages[0].Role} turn" : $"{messages.Count} turns ({string.Join(", ", messages.Select(m => m.Role))})";

    /// <summary>
    /// The family of the normalised template <paramref name="code"/>, or why it is not one AlignLab renders. Each family
    /// needs every expression that decides its output; a template with the family's marker but not those is a variant.
    /// </summary>
    private static (ChatTemplateFamily Family, string? Problem) Recognise(string code)
    {
        bool Has(params string[] parts) => parts.All(p => code.Contains(p, StringComparison.Ordinal));
        // ChatML and Zephyr turns never hold BOS: a template may write it first (Hermes-2), anywhere else is a variant.
        const string bosFirst = "{{bos_token}}";
        bool bosOnlyFirst = !(code.StartsWith(bosFirst, StringComparison.Ordinal) ? code[bosFirst.Length..] : code).Contains("bos_token", StringComparison.Ordinal);

        if (code.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            if (code.Contains("<think>", StringComparison.Ordinal)) return Variant("ChatML", "with reasoning blocks (<think>, Qwen3)");
            if (!bosOnlyFirst) return Variant("ChatML", "that writes bos_token inside its turns");
            return Has("'<|im_start|>'+message['role']+'\n'+message['content']+'<|im_end|>'+'\n'", "add_generation_prompt", "'<|im_start|>assistant\n'")
                || Has("'<|im_start|>'+message['role']+'\n'+message['content']+'<|im_end|>\n'", "add_generation_prompt", "'<|im_start|>assistant\n'")
                ? (ChatTemplateFamily.ChatMl, null)
                : Variant("ChatML", "whose turns are not <|im_start|>role\\n…<|im_end|>\\n");
        }
        if (code.Contains("<|start_header_id|>", StringComparison.Ordinal))
        {
            if (code.Contains("Cutting Knowledge Date", StringComparison.Ordinal)) return Variant("Llama-3", "with Llama-3.1's dated system header");
            return Has("'<|start_header_id|>'+message['role']+'<|end_header_id|>\n\n'+message['content']|trim+'<|eot_id|>'",
                    "{%ifadd_generation_prompt%}{{'<|start_header_id|>assistant<|end_header_id|>\n\n'}}{%endif%}")
                ? (ChatTemplateFamily.Llama3, null)
                : Variant("Llama-3", "whose turns are not those of Meta-Llama-3-Instruct");
        }
        if (code.Contains("[INST]", StringComparison.Ordinal))
        {
            const string alternation = "{%if(message['role']=='user')!=(loop.index0%2==0)%}{{raise_exception('Conversation roles must alternate user/assistant/user/assistant/...')}}{%endif%}";
            if (Has("{%ifmessages[0]['role']=='system'%}{%setloop_messages=messages[1:]%}{%setsystem_message=messages[0]['content']%}{%else%}{%setloop_messages=messages%}{%setsystem_message=false%}{%endif%}",
                    alternation, "'<<SYS>>\n'+system_message+'\n<</SYS>>\n\n'+message['content']",
                    "{%ifmessage['role']=='user'%}{{bos_token+'[INST] '+content.strip()+' [/INST]'}}{%elifmessage['role']=='assistant'%}{{' '+content.strip()+' '+eos_token}}{%endif%}"))
                return (ChatTemplateFamily.Llama2, null);
            if (Has("{{bos_token}}{%formessageinmessages%}" + alternation,
                    "{%ifmessage['role']=='user'%}{{'[INST] '+message['content']+' [/INST]'}}{%elifmessage['role']=='assistant'%}{{message['content']+eos_token}}{%else%}{{raise_exception('Only user and assistant roles are supported!')}}{%endif%}"))
                return (ChatTemplateFamily.Mistral, null);
            return Variant("[INST]", "that is neither Llama-2-chat's nor Mistral-7B-Instruct v0.1/v0.2's");
        }
        if (code.Contains("<start_of_turn>", StringComparison.Ordinal))
        {
            return Has("{%ifmessages[0]['role']=='system'%}{{raise_exception('System role not supported')}}{%endif%}",
                    "{%if(message['role']=='user')!=(loop.index0%2==0)%}",
                    "{%if(message['role']=='assistant')%}{%setrole='model'%}{%else%}{%setrole=message['role']%}{%endif%}",
                    "{{'<start_of_turn>'+role+'\n'+message['content']|trim+'<end_of_turn>\n'}}",
                    "{%ifadd_generation_prompt%}{{'<start_of_turn>model\n'}}{%endif%}")
                ? (ChatTemplateFamily.Gemma, null)
                : Variant("Gemma", "whose turns are not those of gemma-it");
        }
        if (code.Contains("<|user|>", StringComparison.Ordinal))
        {
            return Has("{%ifmessage['role']=='user'%}{{'<|user|>\n'+message['content']+eos_token}}",
                    "{%elifmessage['role']=='system'%}{{'<|system|>\n'+message['content']+eos_token}}",
                    "{%elifmessage['role']=='assistant'%}{{'<|assistant|>\n'+message['content']+eos_token}}",
                    "{%ifloop.lastandadd_generation_prompt%}{{'<|assistant|>'}}")
                && !code.Contains("<|end|>", StringComparison.Ordinal) && bosOnlyFirst
                ? (ChatTemplateFamily.Zephyr, null)
                : Variant("Zephyr", "whose turns are not those of zephyr-7b-beta (Phi-3 and others use <|user|> too)");
        }
        return (default, "is not of a family AlignLab recognises");

        static (ChatTemplateFamily, string?) Variant(string family, string what) => (default, $"looks like a {family} template but is a variant {what}");
    }

    /// <summary>
    /// The template with every string literal written in single quotes with its escapes resolved (<c>\n</c> a newline),
    /// whitespace outside literals removed, and <c>message.role</c> / <c>message.content</c> written as subscripts, so
    /// the family signatures match however a model's authors spaced and quoted them.
    /// </summary>
    private static string Normalise(string template)
    {
        var code = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c is '\'' or '"')
            {
                code.Append('\'');
                for (i++; i < template.Length && template[i] != c; i++)
                {
                    if (template[i] == '\\' && i + 1 < template.Length)
                    {
                        i++;
                        code.Append(template[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var e => e });
                    }
                    else
                    {
                        code.Append(template[i]);
                    }
                }
                code.Append('\'');
            }
            else if (!char.IsWhiteSpace(c) && c != '-')
            {
                // '-' is dropped too: Jinja's whitespace-control dashes ({%- … -%}) change no output of these templates.
                code.Append(c);
            }
        }
        return code.ToString()
            .Replace("message.role", "message['role']", StringComparison.Ordinal)
            .Replace("message.content", "message['content']", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"'<\|im_start\|>system\n([^']+)<\|im_end\|>\n'")]
    private static partial Regex ChatMlDefaultSystem();

    /// <summary>(template, file it came from) of a model folder, or null when it has none.</summary>
    private static (string Template, string Source)? ReadTemplate(string folder)
    {
        var jinjaPath = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinjaPath)) return (File.ReadAllText(jinjaPath), jinjaPath);
        foreach (var name in new[] { "chat_template.json", "tokenizer_config.json" })
        {
            var path = Path.Combine(folder, name);
            if (TokenizerFiles.ReadOptional(path) is not { } json || TokenizerFiles.Property(json, "chat_template") is not { } value) continue;
            if (value.ValueKind == JsonValueKind.String) return (value.GetString()!, path);
            if (value.ValueKind != JsonValueKind.Array) throw TokenizerFiles.Bad(path, "chat_template", "a string or a list of {name, template}", value);
            // Several named templates (e.g. "default", "tool_use"): the conversation one is "default".
            foreach (var entry in value.EnumerateArray())
            {
                if (TokenizerFiles.String(entry, "name", path) == "default" && TokenizerFiles.String(entry, "template", path) is { } template)
                    return (template, path);
            }
            throw new InvalidDataException($"{path}: \"chat_template\" lists named templates but none is named \"default\".");
        }
        return null;
    }

    /// <summary>tokenizer_config.json's bos_token and eos_token texts ("" when absent), each a string or an AddedToken object.</summary>
    private static (string Bos, string Eos) SpecialTokens(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (TokenizerFiles.ReadOptional(path) is not { } config) return ("", "");
        string Token(string key) => TokenizerFiles.Property(config, key) is { } value
            ? (value.ValueKind == JsonValueKind.Object ? TokenizerFiles.String(value, "content", path) : TokenizerFiles.String(config, key, path)) ?? ""
            : "";
        return (Token("bos_token"), Token("eos_token"));
    }
}
