using Microsoft.ML.Tokenizers;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (Llama-2, TinyLlama, Mistral), read and run by Microsoft.ML.Tokenizers'
/// <c>SentencePieceTokenizer</c> (BPE or Unigram; the file's normaliser: '▁' for spaces, the dummy prefix, byte
/// fallback to <c>&lt;0xNN&gt;</c> pieces). Each stretch of plain text gets the dummy prefix, as in the Hugging Face
/// Llama tokenizer's default (<c>legacy</c>) mode, and decoding strips it again, so decode(encode(t)) = t.
/// </summary>
internal sealed class SentencePieceModel : ISubwordModel
{
    private readonly SentencePieceTokenizer _model;
    private readonly Dictionary<int, string> _pieces;

    private SentencePieceModel(SentencePieceTokenizer model)
    {
        _model = model;
        _pieces = [];
        foreach (var (piece, id) in model.Vocabulary) _pieces[id] = piece;
        Size = _pieces.Keys.Max() + 1;
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a SentencePiece model (truncated, another format).</exception>
    public static SentencePieceModel Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            // BOS/EOS are added by ModelTokenizer from the folder's configuration, never by the library.
            var model = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
            if (model.Vocabulary.Count == 0) throw new InvalidDataException("it has no pieces");
            return new SentencePieceModel(model);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a readable SentencePiece model ({e.Message}).");
        }
    }

    /// <inheritdoc />
    public TokenizerKind Kind => TokenizerKind.SentencePiece;

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>The model's own unknown, beginning- and end-of-sentence pieces, as added tokens.</summary>
    public IReadOnlyList<AddedToken> ControlTokens =>
    [
        new(_model.UnknownId, _model.UnknownToken, true),
        new(_model.BeginningOfSentenceId, _model.BeginningOfSentenceToken, true),
        new(_model.EndOfSentenceId, _model.EndOfSentenceToken, true),
    ];

    /// <summary>The id of the model's beginning-of-sentence piece.</summary>
    public int BeginningOfSentenceId => _model.BeginningOfSentenceId;

    /// <summary>The id of the model's end-of-sentence piece.</summary>
    public int EndOfSentenceId => _model.EndOfSentenceId;

    /// <inheritdoc />
    public void Encode(string text, List<int> ids) =>
        ids.AddRange(_model.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false));

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids) => _model.Decode(ids);

    /// <inheritdoc />
    public string? TokenOf(int id) => _pieces.GetValueOrDefault(id);

    /// <inheritdoc />
    public int? IdOf(string token) => _model.Vocabulary.TryGetValue(token, out var id) ? id : null;
}
