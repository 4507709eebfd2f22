using System.Text.RegularExpressions;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// A byte-level BPE pre-tokenizer: a sequence of regexes, each cutting every piece of the previous stage into its
/// matches <em>and</em> the stretches between them (Hugging Face's <c>Split</c> with behaviour <c>Isolated</c>), so
/// no character is ever lost. BPE merges never cross a piece boundary.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> falls back to a word/non-word splitter that throws the spaces away
/// when no pre-tokenizer is given; AlignLab always splits with the file's own regexes here and hands the library
/// one piece at a time with its pre-tokenization turned off.
/// </remarks>
internal sealed class SplitPreTokenizer
{
    /// <summary>GPT-2's pattern, used by a <c>ByteLevel</c> pre-tokenizer with <c>use_regex</c> (the default).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly IReadOnlyList<Regex> _stages;

    /// <param name="stages">The regexes, applied in order; none means each text is one piece.</param>
    public SplitPreTokenizer(IReadOnlyList<Regex> stages) => _stages = stages;

    /// <summary>The pieces of <paramref name="text"/>, in order; concatenated they give the text back.</summary>
    public IReadOnlyList<string> Split(string text)
    {
        IReadOnlyList<string> pieces = [text];
        foreach (var regex in _stages)
        {
            var next = new List<string>(pieces.Count * 2);
            foreach (var piece in pieces) Isolate(regex, piece, next);
            pieces = next;
        }
        return pieces;
    }

    private static void Isolate(Regex regex, string text, List<string> into)
    {
        var start = 0;
        for (var match = regex.Match(text); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            if (match.Index > start) into.Add(text[start..match.Index]);
            into.Add(match.Value);
            start = match.Index + match.Length;
        }
        if (start < text.Length) into.Add(text[start..]);
    }
}
