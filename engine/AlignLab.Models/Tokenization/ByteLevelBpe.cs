using System.Text;
using Microsoft.ML.Tokenizers;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, GPT-NeoX/Pythia, Llama-3, Qwen2): the text is Unicode-normalised, cut into pieces by the
/// <see cref="SplitPreTokenizer"/>, each piece's UTF-8 bytes are written as printable characters (byte b ↦ the
/// character GPT-2's <c>bytes_to_unicode</c> gives it, e.g. space ↦ 'Ġ') and merged pairwise in the order of the
/// merge list (Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> does the merging and the byte-level decoding).
/// </summary>
internal sealed class ByteLevelBpe : ISubwordModel
{
    private static readonly char[] ByteToChar = BuildByteToChar();

    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, int> _vocabulary;
    private readonly Dictionary<int, string> _tokens;
    private readonly SplitPreTokenizer _preTokenizer;
    private readonly IReadOnlyList<NormalizationForm> _normalization;
    private readonly bool _ignoreMerges;
    private readonly HashSet<byte> _missingBytes;
    private readonly string _path;

    /// <param name="path">The file the model comes from (for error messages).</param>
    /// <param name="vocabulary">Byte-level token → id.</param>
    /// <param name="merges">"left right" pairs, highest priority first.</param>
    /// <param name="preTokenizer">How text is cut into pieces before merging.</param>
    /// <param name="normalization">Unicode normalisations applied to the text first, in order.</param>
    /// <param name="ignoreMerges">Llama-3's <c>ignore_merges</c>: a piece that is itself a vocabulary entry is that one token.</param>
    /// <exception cref="InvalidDataException">A merge names a token missing from the vocabulary.</exception>
    public ByteLevelBpe(string path, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges,
        SplitPreTokenizer preTokenizer, IReadOnlyList<NormalizationForm> normalization, bool ignoreMerges)
    {
        // Without a token for every byte the library would silently drop the bytes it cannot spell, so Encode refuses
        // text with such a byte (a small alphabet, as the toy task's, is a vocabulary without most bytes).
        _missingBytes = Enumerable.Range(0, 256).Where(b => !vocabulary.ContainsKey(ByteToChar[b].ToString())).Select(b => (byte)b).ToHashSet();
        _path = path;
        try
        {
            // The library's pre-tokenizer is never used: Encode hands it one piece at a time with pre-tokenization off.
            _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary) { Merges = merges, ByteLevel = true });
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        _vocabulary = vocabulary;
        _tokens = [];
        foreach (var (token, id) in vocabulary) _tokens[id] = token;
        _preTokenizer = preTokenizer;
        _normalization = normalization;
        _ignoreMerges = ignoreMerges;
        Size = vocabulary.Values.Max() + 1;
    }

    /// <inheritdoc />
    public TokenizerKind Kind => TokenizerKind.ByteLevelBpe;

    /// <inheritdoc />
    public int Size { get; }

    /// <inheritdoc />
    public void Encode(string text, List<int> ids)
    {
        foreach (var form in _normalization) text = text.Normalize(form);
        if (_missingBytes.Count > 0) CheckBytes(text);
        foreach (var piece in _preTokenizer.Split(text))
        {
            if (_ignoreMerges && _vocabulary.TryGetValue(ToByteLevel(piece), out var whole))
            {
                ids.Add(whole);
                continue;
            }
            ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
        }
    }

    private void CheckBytes(string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
            if (_missingBytes.Contains(b))
                throw new ArgumentException($"{_path}: the byte-level vocabulary has no token for byte 0x{b:X2} ('{ByteToChar[b]}'), which the text holds.", nameof(text));
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids) => _bpe.Decode(ids);

    /// <inheritdoc />
    public string? TokenOf(int id) => _tokens.GetValueOrDefault(id);

    /// <inheritdoc />
    public int? IdOf(string token) => _vocabulary.TryGetValue(token, out var id) ? id : null;

    /// <summary>The byte-level spelling of <paramref name="text"/>: its UTF-8 bytes, one printable character each.</summary>
    public static string ToByteLevel(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 take 256, 257, … in order,
    // so that every byte is one visible character and the vocabulary file needs no escapes.
    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
