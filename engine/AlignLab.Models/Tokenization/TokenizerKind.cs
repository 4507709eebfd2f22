namespace AlignLab.Models.Tokenization;

/// <summary>Which tokenizer file of a model folder a <see cref="ModelTokenizer"/> was read from.</summary>
public enum TokenizerKind
{
    /// <summary>
    /// Byte-level BPE from <c>tokenizer.json</c> (GPT-2, GPT-NeoX/Pythia, Llama-3, Qwen2): text → UTF-8 bytes, each
    /// byte written as one printable character, split by the pre-tokenizer's regexes, then merged by rank.
    /// </summary>
    ByteLevelBpe,

    /// <summary>SentencePiece <c>tokenizer.model</c> (Llama-2, TinyLlama, Mistral): spaces as '▁', byte fallback.</summary>
    SentencePiece,
}
