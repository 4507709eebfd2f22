using AlignLab.Engine.Rewards;
using AlignLab.Models;

namespace AlignLab.Engine.Policies;

/// <summary>
/// Shape of a <see cref="TinyGpt"/> (or of a <see cref="RewardModel"/>'s trunk). <see cref="VocabSize"/> tokens;
/// prompts of exactly <see cref="PromptLength"/> tokens; <see cref="DModel"/> (default 64) the residual width, split
/// over <see cref="Heads"/> (default 4) attention heads; <see cref="Layers"/> (default 2) pre-LayerNorm blocks with an
/// MLP of width <see cref="MlpRatio"/>·DModel (default 4); <see cref="MaxLength"/> (default 16) the longest
/// prompt + response it can see (learned position embeddings); <see cref="Dropout"/> (default 0, what the theory
/// assumes: the policy is a fixed function); <see cref="EndToken"/> (default -1, none) the token that ends a response.
/// </summary>
public sealed record TinyGptConfig(
    int VocabSize,
    int PromptLength,
    int DModel = 64,
    int Heads = 4,
    int Layers = 2,
    int MaxLength = 16,
    int MlpRatio = 4,
    double Dropout = 0,
    long EndToken = -1)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public TinyGptConfig Validate()
    {
        if (VocabSize < 2) throw new ArgumentException($"VocabSize must be >= 2 (got {VocabSize}).", nameof(VocabSize));
        if (PromptLength < 1) throw new ArgumentException($"PromptLength must be >= 1 (got {PromptLength}).", nameof(PromptLength));
        if (DModel < 1 || Heads < 1 || DModel % Heads != 0)
            throw new ArgumentException($"DModel must be a positive multiple of Heads (got DModel {DModel}, Heads {Heads}).", nameof(DModel));
        if (Layers < 1) throw new ArgumentException($"Layers must be >= 1 (got {Layers}).", nameof(Layers));
        if (MaxLength <= PromptLength) throw new ArgumentException($"MaxLength must exceed PromptLength {PromptLength} (got {MaxLength}).", nameof(MaxLength));
        if (MlpRatio < 1) throw new ArgumentException($"MlpRatio must be >= 1 (got {MlpRatio}).", nameof(MlpRatio));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1) (got {Dropout}).", nameof(Dropout));
        if (EndToken >= VocabSize) throw new ArgumentException($"EndToken must be -1 or a token id below {VocabSize} (got {EndToken}).", nameof(EndToken));
        return this;
    }

    /// <summary>
    /// The GPT-2 architecture of this shape: exact GELU (HF's GPT-2 default is gelu_new), LayerNorm ε 1e-5, MLP width
    /// MlpRatio·DModel, MaxLength learned positions, the end token as eos_token_id.
    /// </summary>
    public TransformerConfig ToTransformerConfig() =>
        new("gpt2", VocabSize, DModel, Layers, Heads, MlpRatio * DModel, MaxLength, NormEpsilon: 1e-5, Activation: "gelu",
            Dropout: Dropout, EosTokenIds: EndToken >= 0 ? [EndToken] : null);

    /// <summary>Longest response the model can generate after a prompt: <see cref="MaxLength"/> − <see cref="PromptLength"/>.</summary>
    public int MaxResponseLength => MaxLength - PromptLength;
}
