using System.Text.RegularExpressions;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// The <see cref="AddedToken"/>s of a tokenizer: splits text into stretches of plain text (for the subword model)
/// and added tokens, taking at each position the longest added token that starts there, leftmost first (the
/// Hugging Face tokenizers' rule), and maps ids back to their text.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Regex? _pattern;
    private readonly AddedToken[] _byGroup;
    private readonly Dictionary<string, AddedToken> _byContent;
    private readonly Dictionary<int, AddedToken> _byId;

    public AddedVocabulary(IEnumerable<AddedToken> tokens)
    {
        Tokens = tokens.OrderBy(t => t.Id).ToArray();
        _byContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        _byId = [];
        foreach (var token in Tokens)
        {
            _byContent[token.Content] = token;
            _byId[token.Id] = token;
        }
        // Longest first, so that the regex's first matching alternative is the longest token at that position; one
        // group per token says which matched (its match may hold the whitespace lstrip/rstrip take with it).
        _byGroup = _byContent.Values.Where(t => t.Content.Length > 0).OrderByDescending(t => t.Content.Length).ToArray();
        var alternatives = _byGroup.Select((t, i) => $"(?<t{i}>{Pattern(t)})").ToArray();
        _pattern = alternatives.Length == 0 ? null : new Regex(string.Join("|", alternatives), RegexOptions.CultureInvariant);
    }

    private static string Pattern(AddedToken token)
    {
        var core = Regex.Escape(token.Content);
        if (token.SingleWord) core = $@"(?<!\w){core}(?!\w)";
        return (token.LStrip ? @"\s*" : "") + core + (token.RStrip ? @"\s*" : "");
    }

    /// <summary>The added tokens, by id.</summary>
    public IReadOnlyList<AddedToken> Tokens { get; }

    /// <summary>The added token with this id, if there is one.</summary>
    public AddedToken? TokenOf(int id) => _byId.GetValueOrDefault(id);

    /// <summary>The id of the added token with exactly this content, if there is one.</summary>
    public int? IdOf(string content) => _byContent.TryGetValue(content, out var token) ? token.Id : null;

    /// <summary>
    /// Cuts <paramref name="text"/> into its pieces in order: plain text (<c>Token</c> null, never empty) and added
    /// tokens (<c>Token</c> set, <c>Text</c> what it matched: its content and any whitespace it strips).
    /// </summary>
    public IEnumerable<(string Text, AddedToken? Token)> Split(string text)
    {
        var start = 0;
        if (_pattern is not null)
        {
            for (var match = _pattern.Match(text); match.Success; match = match.NextMatch())
            {
                if (match.Index > start) yield return (text[start..match.Index], null);
                yield return (match.Value, Matched(match));
                start = match.Index + match.Length;
            }
        }
        if (start < text.Length) yield return (text[start..], null);
    }

    private AddedToken Matched(Match match)
    {
        for (var i = 0; i < _byGroup.Length; i++)
        {
            if (match.Groups[$"t{i}"].Success) return _byGroup[i];
        }
        throw new InvalidOperationException("an added-token match without its group");
    }
}
