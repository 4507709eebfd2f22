namespace AlignLab.Models.Tokenization;

/// <summary>The prompt formats <see cref="ChatTemplate"/> renders.</summary>
public enum ChatTemplateFamily
{
    /// <summary>ChatML (<c>&lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n</c>): Qwen2/2.5, SmolLM2, OpenHermes; with the template's default system turn, if it has one.</summary>
    ChatMl,

    /// <summary>Llama-3 Instruct (<c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n…&lt;|eot_id|&gt;</c>), the 3.0 template without a dated system header.</summary>
    Llama3,

    /// <summary>Llama-2 chat (<c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;…&lt;&lt;/SYS&gt;&gt; … [/INST] … &lt;/s&gt;</c>).</summary>
    Llama2,

    /// <summary>Mistral Instruct v0.1/v0.2 (<c>&lt;s&gt;[INST] … [/INST]…&lt;/s&gt;</c>, no system turn).</summary>
    Mistral,

    /// <summary>Gemma instruct (<c>&lt;start_of_turn&gt;user\n…&lt;end_of_turn&gt;\n</c>, the assistant is <c>model</c>, no system turn).</summary>
    Gemma,

    /// <summary>Zephyr (<c>&lt;|user|&gt;\n…&lt;/s&gt;\n</c>): zephyr-7b-beta, TinyLlama-Chat.</summary>
    Zephyr,

    /// <summary>A text with a <c>{prompt}</c> placeholder given by the user: single-turn.</summary>
    Placeholder,
}
