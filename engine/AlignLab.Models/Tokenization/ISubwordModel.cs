namespace AlignLab.Models.Tokenization;

/// <summary>
/// The subword model under a <see cref="ModelTokenizer"/> (byte-level BPE or SentencePiece): encodes plain text
/// that holds no added token, and decodes runs of its own ids.
/// </summary>
internal interface ISubwordModel
{
    /// <summary>Which kind of tokenizer file it came from.</summary>
    TokenizerKind Kind { get; }

    /// <summary>One more than its largest id.</summary>
    int Size { get; }

    /// <summary>Appends the ids of <paramref name="text"/> (plain text, non-empty) to <paramref name="ids"/>.</summary>
    void Encode(string text, List<int> ids);

    /// <summary>The text of a run of ids that all have a token (<see cref="TokenOf"/> is not null).</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>The vocabulary entry of <paramref name="id"/> as the file writes it, or null when there is none.</summary>
    string? TokenOf(int id);

    /// <summary>The id of the vocabulary entry <paramref name="token"/>, or null when there is none.</summary>
    int? IdOf(string token);
}
