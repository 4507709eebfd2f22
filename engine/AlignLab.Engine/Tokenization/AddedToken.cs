namespace AlignLab.Engine.Tokenization;

/// <summary>
/// A token the tokenizer matches as a whole in the raw text before any subword model sees it (Hugging Face's
/// "added tokens": <c>&lt;|endoftext|&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;|im_start|&gt;</c>, …), and writes back verbatim when
/// decoding. <paramref name="Special"/> tokens are the ones <see cref="ModelTokenizer.DecodeWithoutSpecialTokens"/> leaves out.
/// </summary>
/// <param name="Id">Its token id.</param>
/// <param name="Content">The exact text it stands for.</param>
/// <param name="Special">Whether it is a control token (BOS, EOS, padding, chat markers) rather than text.</param>
public sealed record AddedToken(int Id, string Content, bool Special);
