using System.Text;
using System.Text.Json;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model folder: text ↔ token ids exactly as the model was trained, with the
/// folder's BOS/EOS/padding ids. Reads <c>tokenizer.json</c> when it holds a byte-level BPE (GPT-2, GPT-NeoX/Pythia,
/// Llama-3, Qwen2), else GPT-2's older <c>vocab.json</c> + <c>merges.txt</c>, else the SentencePiece
/// <c>tokenizer.model</c> (Llama-2, TinyLlama, Mistral).
/// </summary>
/// <remarks>
/// Added tokens (<see cref="AddedTokens"/>) written in the text are recognised as themselves, as the Hugging Face
/// tokenizers do; decoding writes them back verbatim, so <c>Decode(Encode(t)) == t</c> for every text t that the
/// tokenizer's normaliser leaves unchanged (all text for GPT-2, Llama-3 and the Llama SentencePiece models; NFC
/// text for Pythia and Qwen2).
/// </remarks>
public sealed class ModelTokenizer
{
    private readonly ISubwordModel _model;
    private readonly AddedVocabulary _added;

    private ModelTokenizer(string sourceFile, ISubwordModel model, AddedVocabulary added, SpecialTokenIds specialIds, bool addsBos)
    {
        SourceFile = sourceFile;
        _model = model;
        _added = added;
        SpecialIds = specialIds;
        AddsBos = addsBos;
        VocabularySize = Math.Max(model.Size, added.Tokens.Count == 0 ? 0 : added.Tokens.Max(t => t.Id) + 1);
    }

    /// <summary>The tokenizer files <see cref="Load"/> reads, for messages.</summary>
    public const string FileNames = "tokenizer.json, tokenizer.model or vocab.json + merges.txt";

    /// <summary>
    /// Every file of a model folder that decides how text becomes its ids: the tokenizer files <see cref="Load"/> reads,
    /// the special-token maps and added tokens, and the chat template (<see cref="ChatTemplate.Load"/>). A copy of the
    /// model saved elsewhere (a fine-tuned policy, a reward model on its trunk) needs these beside its weights.
    /// </summary>
    public static IReadOnlyList<string> FolderFiles { get; } =
    [
        "tokenizer.json", "tokenizer.model", VocabAndMerges.VocabFile, VocabAndMerges.MergesFile, "tokenizer_config.json",
        "special_tokens_map.json", "added_tokens.json", "chat_template.jinja", "chat_template.json",
    ];

    /// <summary>
    /// Copies each of <paramref name="names"/> (by default <see cref="FolderFiles"/>) that the folder
    /// <paramref name="from"/> has into the folder <paramref name="to"/>, each written under a temporary name and renamed,
    /// so a copy is whole or absent.
    /// </summary>
    public static void CopyFiles(string from, string to, IEnumerable<string>? names = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        foreach (var name in names ?? FolderFiles)
        {
            var source = Path.Combine(from, name);
            if (!File.Exists(source)) continue;
            var target = Path.Combine(to, name);
            var temp = target + ".tmp";
            File.Copy(source, temp, overwrite: true);
            File.Move(temp, target, overwrite: true);
        }
    }

    /// <summary>Whether <paramref name="folder"/> has a tokenizer file (see <see cref="FileNames"/>).</summary>
    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, "tokenizer.json")) || File.Exists(Path.Combine(folder, "tokenizer.model")) || VocabAndMerges.Exists(folder);

    /// <summary>Which kind of tokenizer file was read.</summary>
    public TokenizerKind Kind => _model.Kind;

    /// <summary>The file the vocabulary was read from (<c>tokenizer.json</c>, <c>vocab.json</c> or <c>tokenizer.model</c>).</summary>
    public string SourceFile { get; }

    /// <summary>One more than the largest token id (the model's <c>vocab_size</c> may be larger: padded rows).</summary>
    public int VocabularySize { get; }

    /// <summary>BOS, EOS and padding ids from the folder's configuration files.</summary>
    public SpecialTokenIds SpecialIds { get; }

    /// <summary>
    /// Whether <see cref="EncodePrompt"/> puts <see cref="SpecialTokenIds.Bos"/> first: <c>add_bos_token</c> of
    /// <c>tokenizer_config.json</c>, else whether <c>tokenizer.json</c>'s post-processor starts with a special token
    /// (Llama-3), else true for SentencePiece (the Llama tokenizers' default) and false for byte-level BPE (GPT-2, Pythia, Qwen2).
    /// </summary>
    public bool AddsBos { get; }

    /// <summary>The tokens matched as a whole in the text and written back verbatim, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _added.Tokens;

    /// <summary>
    /// Reads the tokenizer of the model folder <paramref name="folder"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no tokenizer file.</exception>
    /// <exception cref="InvalidDataException">A tokenizer or configuration file is malformed or unsupported; the message names it.</exception>
    public static ModelTokenizer Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder.");
        var jsonPath = Path.Combine(folder, "tokenizer.json");
        var modelPath = Path.Combine(folder, "tokenizer.model");

        var json = File.Exists(jsonPath) ? TokenizerJson.Read(jsonPath) : null;
        if (json?.Model is { } byteLevel)
        {
            var added = new AddedVocabulary(json.AddedTokens);
            var templateBos = json.TemplateBos is { } t ? added.IdOf(t) ?? byteLevel.IdOf(t) : null;
            return Create(folder, jsonPath, byteLevel, added, templateBos, defaultEos: null, addsBosByDefault: json.TemplateBos is not null);
        }
        if (json is null && VocabAndMerges.Exists(folder))
        {
            var (bpe, addedTokens) = VocabAndMerges.Read(folder);
            return Create(folder, Path.Combine(folder, VocabAndMerges.VocabFile), bpe, new AddedVocabulary(addedTokens), defaultBos: null, defaultEos: null, addsBosByDefault: false);
        }
        if (File.Exists(modelPath))
        {
            var sentencePiece = SentencePieceModel.Read(modelPath);
            var added = new AddedVocabulary(json?.AddedTokens ?? AddedTokensFromConfig(folder) ?? sentencePiece.ControlTokens);
            return Create(folder, modelPath, sentencePiece, added, sentencePiece.BeginningOfSentenceId, sentencePiece.EndOfSentenceId, addsBosByDefault: true);
        }
        if (json is not null)
            throw new InvalidDataException($"{jsonPath}: {json.NotByteLevel}, and {folder} has no tokenizer.model to read instead.");
        throw new FileNotFoundException($"{folder}: no {FileNames}.", jsonPath);
    }

    private static ModelTokenizer Create(string folder, string source, ISubwordModel model, AddedVocabulary added,
        int? defaultBos, int? defaultEos, bool addsBosByDefault)
    {
        var ids = SpecialTokenIds.Read(folder, text => added.IdOf(text) ?? model.IdOf(text), defaultBos, defaultEos);
        var configPath = Path.Combine(folder, "tokenizer_config.json");
        var addsBos = TokenizerFiles.ReadOptional(configPath) is { } config && TokenizerFiles.Bool(config, "add_bos_token", configPath) is { } flag
            ? flag
            : addsBosByDefault;
        if (addsBos && ids.Bos is null)
            throw new InvalidDataException($"{folder}: the tokenizer puts a BOS token first but no file gives its id (bos_token_id / bos_token).");
        return new ModelTokenizer(source, model, added, ids, addsBos);
    }

    // tokenizer_config.json's "added_tokens_decoder": {"0": {"content": "<unk>", "special": true, …}, …}.
    private static IReadOnlyList<AddedToken>? AddedTokensFromConfig(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (TokenizerFiles.ReadOptional(path) is not { } config || TokenizerFiles.Property(config, "added_tokens_decoder") is not { } decoder)
            return null;
        if (decoder.ValueKind != JsonValueKind.Object) throw TokenizerFiles.Bad(path, "added_tokens_decoder", "an object", decoder);
        return decoder.EnumerateObject().Select(entry =>
            int.TryParse(entry.Name, out var id) && id >= 0 && TokenizerFiles.String(entry.Value, "content", path) is { } content
                ? TokenizerJson.AddedTokenOf(id, content, entry.Value, path)
                : throw new InvalidDataException($"{path}: added_tokens_decoder[\"{entry.Name}\"] needs a non-negative id and a \"content\".")).ToArray();
    }

    /// <summary>
    /// The ids of <paramref name="text"/> alone, nothing added (Hugging Face's <c>add_special_tokens=False</c>).
    /// Added tokens written in the text (e.g. <c>&lt;|endoftext|&gt;</c>) become their ids. Empty text gives no ids.
    /// </summary>
    /// <exception cref="ArgumentException">The text holds a byte that a byte-level vocabulary without every byte (a small
    /// alphabet's, such as the toy task's) has no token for; the message names the file and the byte.</exception>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 1);
        foreach (var (piece, token) in _added.Split(text))
        {
            if (token is not null) ids.Add(token.Id);
            else _model.Encode(piece, ids);
        }
        return ids;
    }

    /// <summary>
    /// The ids the model expects for <paramref name="text"/> as a prompt: <see cref="SpecialTokenIds.Bos"/> first when
    /// <see cref="AddsBos"/>, then <see cref="Encode"/> (Hugging Face's default <c>add_special_tokens=True</c>) — except
    /// when the text already starts with the BOS token, as a rendered <see cref="ChatTemplate"/> of Llama-3, Llama-2,
    /// Mistral or Gemma does: a doubled BOS is a prompt the model never saw in training.
    /// </summary>
    public IReadOnlyList<int> EncodePrompt(string text)
    {
        var ids = Encode(text);
        return AddsBos && (ids.Count == 0 || ids[0] != SpecialIds.Bos!.Value) ? [SpecialIds.Bos!.Value, .. ids] : ids;
    }

    /// <summary>The text of <paramref name="ids"/>, added and special tokens written out.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id has no token.</exception>
    public string Decode(IEnumerable<int> ids) => Decode(ids, keepSpecial: true);

    /// <summary>The text of <paramref name="ids"/> without the special tokens (BOS, EOS, padding, chat markers).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id has no token.</exception>
    public string DecodeWithoutSpecialTokens(IEnumerable<int> ids) => Decode(ids, keepSpecial: false);

    private string Decode(IEnumerable<int> ids, bool keepSpecial)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (_added.TokenOf(id) is { } token)
            {
                Flush();
                if (keepSpecial || !token.Special) text.Append(token.Content);
            }
            else if (id >= 0 && _model.TokenOf(id) is not null)
            {
                run.Add(id);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in the vocabulary of {SourceFile} (ids 0..{VocabularySize - 1}).");
            }
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (run.Count == 0) return;
            text.Append(_model.Decode(run));
            run.Clear();
        }
    }

    /// <summary>Whether <paramref name="id"/> has a token (a model's embedding may have more rows than the tokenizer has tokens).</summary>
    public bool HasToken(int id) => TokenOf(id) is not null;

    /// <summary>The token of <paramref name="id"/> as the vocabulary writes it (e.g. "Ġworld", "▁world"), or null.</summary>
    public string? TokenOf(int id) => _added.TokenOf(id)?.Content ?? _model.TokenOf(id);

    /// <summary>The id of the vocabulary entry or added token <paramref name="token"/>, or null.</summary>
    public int? IdOf(string token) => _added.IdOf(token) ?? _model.IdOf(token);

    /// <summary>One line for people: kind, size and source file.</summary>
    public override string ToString() =>
        $"{(Kind == TokenizerKind.ByteLevelBpe ? "byte-level BPE" : "SentencePiece")}, {VocabularySize:N0} tokens ({Path.GetFileName(SourceFile)})";
}
