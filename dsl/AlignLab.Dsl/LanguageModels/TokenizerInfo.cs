namespace AlignLab.Dsl;

/// <summary>The tokenizer part of <see cref="ModelInfo"/>.</summary>
/// <param name="Kind">byte-level-bpe or sentencepiece.</param>
/// <param name="File">The file it was read from (name only).</param>
/// <param name="VocabularySize">One more than its largest id.</param>
/// <param name="Bos">Beginning-of-sequence id, if any.</param>
/// <param name="AddsBos">Whether prompts start with it.</param>
/// <param name="Eos">End-of-sequence ids.</param>
/// <param name="Pad">Padding id, if any.</param>
public sealed record TokenizerInfo(string Kind, string File, int VocabularySize, int? Bos, bool AddsBos, IReadOnlyList<int> Eos, int? Pad);
