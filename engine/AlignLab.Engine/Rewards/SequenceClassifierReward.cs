using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// A Hugging Face reward model (<see cref="SequenceClassificationModel"/>) with its tokenizer, as an
/// <see cref="IRewardFunction"/> of a policy's tokens. A row scores prompt ⊕ response, the response cut before its
/// first end token. When the policy's tokenizer differs from the reward model's, each row is decoded to text with the
/// policy's tokenizer (special tokens dropped) and re-encoded with the reward model's (its BOS added as it adds one),
/// so r(x, y) = <see cref="ScoreTexts"/>(text(x), text(y)); with the same tokenizer (or none given) the ids are scored
/// as they are, on the model's device (<see cref="SequenceClassificationModel.ScoreResponses"/>, the rule a reward model
/// trained by AlignLab was trained with). Rows are scored in right-padded batches of <see cref="BatchSize"/>.
/// </summary>
public sealed class SequenceClassifierReward : IRewardFunction, IDisposable
{
    private readonly ModelTokenizer? _policyTokenizer;
    private readonly bool _reencode;
    private readonly long[] _endTokens;

    /// <summary>
    /// Scores with <paramref name="model"/> and its <paramref name="tokenizer"/> (null: token ids only, the policy must
    /// share the model's vocabulary). <paramref name="policyTokenizer"/>: the policy's tokenizer (null: the same as
    /// the reward model's). Responses end at the first of <paramref name="endTokens"/> (pass the policy's
    /// <see cref="AlignLab.Models.CausalLm.EndTokens"/>; null: its tokenizer's EOS ids, else the reward model's own end tokens).
    /// </summary>
    public SequenceClassifierReward(SequenceClassificationModel model, ModelTokenizer? tokenizer, ModelTokenizer? policyTokenizer = null,
        int batchSize = 16, string? name = null, IReadOnlyList<long>? endTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        Model = model;
        Tokenizer = tokenizer;
        BatchSize = batchSize;
        Name = name ?? model.ArchitectureName;
        _policyTokenizer = policyTokenizer;
        _reencode = policyTokenizer is not null && !SameTokenizer(policyTokenizer, tokenizer);
        _endTokens = (endTokens ?? (policyTokenizer?.SpecialIds.Eos is { Count: > 0 } eos ? eos.Select(e => (long)e).ToArray() : null)
            ?? model.ModelConfig.EndTokens).ToArray();
    }

    /// <summary>
    /// Loads the reward model folder <paramref name="folder"/> (<see cref="HuggingFaceFolder.LoadRewardModel"/>) and
    /// its tokenizer when it has one; the other arguments as in the constructor.
    /// </summary>
    public static SequenceClassifierReward Load(string folder, ModelTokenizer? policyTokenizer = null, int batchSize = 16,
        IReadOnlyList<long>? endTokens = null, IProgress<double>? progress = null)
    {
        var model = HuggingFaceFolder.LoadRewardModel(folder, progress);
        try
        {
            var tokenizer = ModelTokenizer.Exists(folder) ? ModelTokenizer.Load(folder) : null;
            return new SequenceClassifierReward(model, tokenizer, policyTokenizer, batchSize,
                Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), endTokens);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The reward model.</summary>
    public SequenceClassificationModel Model { get; }

    /// <summary>The reward model's tokenizer (null: it scores token ids only).</summary>
    public ModelTokenizer? Tokenizer { get; }

    /// <summary>Rows per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the policy's tokens are decoded and re-encoded (the tokenizers differ).</summary>
    public bool Reencodes => _reencode;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// r(x, y) of each row: <paramref name="prompts"/> [B, P] (no padding) and <paramref name="responses"/> [B, L] in the
    /// policy's vocabulary; float32 [B] on the prompts' device.
    /// </summary>
    public Tensor Score(Tensor prompts, Tensor responses) => Score(prompts, responses, null);

    /// <summary>
    /// As <see cref="Score(Tensor, Tensor)"/>, with <paramref name="promptMask"/> [B, P] marking the prompts' left padding
    /// (0 or false): padding is dropped before scoring, so a row scores the same however much it is padded.
    /// </summary>
    public Tensor Score(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        if (!_reencode) return ScoreTokens(prompts, responses, promptMask);
        var p = prompts.cpu().data<long>().ToArray();
        var r = responses.cpu().data<long>().ToArray();
        var m = promptMask?.to(ScalarType.Int64).cpu().data<long>().ToArray();
        int b = (int)prompts.shape[0], pl = (int)prompts.shape[1], rl = (int)responses.shape[1];
        var rows = new List<int>[b];
        for (int i = 0; i < b; i++)
        {
            rows[i] = [];
            for (int j = 0; j < pl; j++)
                if (m is null || m[i * pl + j] != 0) rows[i].Add((int)p[i * pl + j]);
            for (int j = 0; j < rl && !_endTokens.Contains(r[i * rl + j]); j++) rows[i].Add((int)r[i * rl + j]);
        }
        // Decoded as one text: a SentencePiece response decoded alone would lose the space its first token starts with.
        var sequences = rows.Select(ids => EncodeForModel(_policyTokenizer!.DecodeWithoutSpecialTokens(ids.Where(_policyTokenizer.HasToken)))).ToArray();
        return tensor(ScoreIds(sequences), ScalarType.Float32).to(prompts.device);
    }

    /// <summary>
    /// The ids as they are, on the model's device in batches of <see cref="BatchSize"/>: the model's own rule
    /// (<see cref="SequenceClassificationModel.ScoreResponses"/>, the one a model trained by AlignLab was trained with).
    /// </summary>
    private Tensor ScoreTokens(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        var config = Model.ModelConfig;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using (var outside = (prompts.lt(0) | prompts.ge(config.VocabSize)).any().logical_or((responses.lt(0) | responses.ge(config.VocabSize)).any()))
            if (outside.item<bool>())
                throw new ArgumentException($"a token id is outside the reward model's vocabulary (0..{config.VocabSize - 1}).", nameof(prompts));
        var device = Model.parameters().First().device;
        var scores = new List<Tensor>();
        for (long start = 0; start < prompts.shape[0]; start += BatchSize)
        {
            long length = Math.Min(BatchSize, prompts.shape[0] - start);
            scores.Add(Model.ScoreResponses(prompts.narrow(0, start, length).to(device), responses.narrow(0, start, length).to(device),
                promptMask?.narrow(0, start, length).to(device), _endTokens).to(ScalarType.Float32));
        }
        return cat(scores, 0).to(prompts.device).MoveToOuterDisposeScope();
    }

    /// <summary>r(x, y) of each (prompt text, response text) pair: the reward model's tokenizer encodes prompt + response.</summary>
    public float[] ScoreTexts(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (prompts.Count != responses.Count)
            throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses; they must pair up.", nameof(responses));
        return ScoreIds(prompts.Zip(responses, (x, y) => EncodeForModel(x + y)).ToArray());
    }

    /// <summary>The reward of each id sequence (the reward model's vocabulary), in right-padded batches of <see cref="BatchSize"/>.</summary>
    public float[] ScoreIds(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var config = Model.ModelConfig;
        foreach (var s in sequences)
        {
            if (s.Count == 0) throw new ArgumentException("a sequence to score is empty.", nameof(sequences));
            if (s.Count > config.MaxPositions)
                throw new ArgumentException($"a sequence of {s.Count} tokens exceeds the reward model's context length {config.MaxPositions}.", nameof(sequences));
            if (s.Any(id => id < 0 || id >= config.VocabSize))
                throw new ArgumentException($"a token id is outside the reward model's vocabulary (0..{config.VocabSize - 1}).", nameof(sequences));
        }
        var device = Model.parameters().First().device;
        var result = new float[sequences.Count];
        using var noGrad = no_grad();
        for (int start = 0; start < sequences.Count; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = sequences.Skip(start).Take(BatchSize).ToArray();
            int longest = chunk.Max(s => s.Count);
            var ids = new long[chunk.Length, longest];
            var mask = new long[chunk.Length, longest];
            for (int i = 0; i < chunk.Length; i++)
                for (int j = 0; j < chunk[i].Count; j++)
                {
                    ids[i, j] = chunk[i][j];
                    mask[i, j] = 1;
                }
            var scores = Model.forward(tensor(ids, device: device), tensor(mask, device: device)).to(ScalarType.Float32).cpu().data<float>().ToArray();
            scores.CopyTo(result, start);
        }
        return result;
    }

    private IReadOnlyList<int> EncodeForModel(string text) =>
        (Tokenizer ?? throw new InvalidOperationException($"reward model '{Name}' has no tokenizer, so it cannot score text.")).EncodePrompt(text);

    private static bool SameTokenizer(ModelTokenizer a, ModelTokenizer? b) =>
        b is null || (a.Kind == b.Kind && a.VocabularySize == b.VocabularySize && a.AddsBos == b.AddsBos
                      && File.ReadAllBytes(a.SourceFile).AsSpan().SequenceEqual(File.ReadAllBytes(b.SourceFile)));

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
