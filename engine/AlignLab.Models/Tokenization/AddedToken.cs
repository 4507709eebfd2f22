namespace AlignLab.Models.Tokenization;

/// <summary>
/// A token the tokenizer matches as a whole in the raw text before any subword model sees it (Hugging Face's
/// "added tokens": <c>&lt;|endoftext|&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;|im_start|&gt;</c>, …), and writes back verbatim when
/// decoding. <paramref name="Special"/> tokens are the ones <see cref="ModelTokenizer.DecodeWithoutSpecialTokens"/> leaves out.
/// </summary>
/// <param name="Id">Its token id.</param>
/// <param name="Content">The exact text it stands for.</param>
/// <param name="Special">Whether it is a control token (BOS, EOS, padding, chat markers) rather than text.</param>
/// <param name="LStrip">Whether the whitespace before it is part of the match (and so not encoded).</param>
/// <param name="RStrip">Whether the whitespace after it is part of the match.</param>
/// <param name="SingleWord">Whether it matches only where no word character touches it on either side.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool SingleWord = false);
