using System.Globalization;

namespace AlignLab.Engine.Benchmarks;

/// <summary>
/// The shapes <see cref="ModelBenchmarks"/> (and its PyTorch peer, <c>bench/peers/model_peer.py</c>) measure. The
/// defaults are GPT-2 small (124 M parameters: vocabulary 50257, width 768, 12 layers, 12 heads, 1024 positions) and the
/// issue's workloads: scoring <see cref="ScoreBatch"/> sequences of <see cref="SequenceLength"/> tokens; generating
/// <see cref="NewTokens"/> tokens for <see cref="SamplesPerPrompt"/> samples of each of <see cref="Prompts"/> prompts of
/// <see cref="PromptLength"/> tokens (prompt cache shared); one Adam step on <see cref="TrainBatch"/> sequences of
/// <see cref="SequenceLength"/> tokens, full and with rank-<see cref="LoraRank"/> LoRA on <c>c_attn</c>.
/// Timings are medians of <see cref="Repeats"/> runs after one warm-up.
/// </summary>
public sealed record ModelBenchmarkShape(
    int VocabSize = 50257,
    int HiddenSize = 768,
    int Layers = 12,
    int Heads = 12,
    int MaxPositions = 1024,
    int ScoreBatch = 8,
    int SequenceLength = 128,
    int Prompts = 8,
    int SamplesPerPrompt = 16,
    int PromptLength = 32,
    int NewTokens = 64,
    int TrainBatch = 8,
    int LoraRank = 8,
    int Repeats = 3)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is not positive or does not fit.</summary>
    public ModelBenchmarkShape Validate()
    {
        foreach (var (name, value) in Fields())
            if (value < 1) throw new ArgumentException($"{name} must be >= 1 (got {value}).", name);
        if (HiddenSize % Heads != 0) throw new ArgumentException($"HiddenSize {HiddenSize} must be a multiple of Heads {Heads}.", nameof(HiddenSize));
        if (SequenceLength < 2) throw new ArgumentException($"SequenceLength must be >= 2 (a prompt and a response half; got {SequenceLength}).", nameof(SequenceLength));
        if (Math.Max(SequenceLength, PromptLength + NewTokens) > MaxPositions)
            throw new ArgumentException($"SequenceLength and PromptLength + NewTokens must fit in MaxPositions {MaxPositions}.", nameof(MaxPositions));
        return this;
    }

    /// <summary>Every field by its name (the peer script takes them as <c>--Name value</c>).</summary>
    public IReadOnlyList<(string Name, int Value)> Fields() =>
    [
        (nameof(VocabSize), VocabSize), (nameof(HiddenSize), HiddenSize), (nameof(Layers), Layers), (nameof(Heads), Heads),
        (nameof(MaxPositions), MaxPositions), (nameof(ScoreBatch), ScoreBatch), (nameof(SequenceLength), SequenceLength),
        (nameof(Prompts), Prompts), (nameof(SamplesPerPrompt), SamplesPerPrompt), (nameof(PromptLength), PromptLength),
        (nameof(NewTokens), NewTokens), (nameof(TrainBatch), TrainBatch), (nameof(LoraRank), LoraRank), (nameof(Repeats), Repeats),
    ];

    /// <summary>The peer script's command-line arguments for these shapes.</summary>
    public IEnumerable<string> PeerArguments() =>
        Fields().SelectMany(f => new[] { "--" + f.Name, f.Value.ToString(CultureInfo.InvariantCulture) });
}
