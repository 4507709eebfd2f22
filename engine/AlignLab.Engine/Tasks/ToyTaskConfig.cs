namespace AlignLab.Engine.Tasks;

/// <summary>
/// The built-in enumerable toy language (<see cref="ToyLanguage"/>). Defaults: <see cref="VocabSize"/> 6 symbols,
/// prompts of <see cref="PromptLength"/> 3 symbols, responses of exactly <see cref="ResponseLength"/> 5 symbols
/// (6⁵ = 7,776 responses per prompt), <see cref="PromptCount"/> 32 distinct prompts; <see cref="PromptBias"/> γ = 1
/// (how strongly a response repeats its prompt's symbols); <see cref="ProcessSeed"/> 0 fixes the prompts and the
/// transition scores; the gold reward counts <see cref="TargetSymbol"/> 0, with a tie-breaker unless
/// <see cref="RewardTies"/> (default false); the off-target attribute counts <see cref="OffTargetSymbol"/> 1.
/// </summary>
public sealed record ToyTaskConfig(
    int VocabSize = 6,
    int PromptLength = 3,
    int ResponseLength = 5,
    int PromptCount = 32,
    double PromptBias = 1.0,
    long ProcessSeed = 0,
    int TargetSymbol = 0,
    bool RewardTies = false,
    int OffTargetSymbol = 1)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public ToyTaskConfig Validate()
    {
        if (VocabSize < 2) throw new ArgumentException($"VocabSize must be >= 2 (got {VocabSize}).", nameof(VocabSize));
        if (PromptLength < 1) throw new ArgumentException($"PromptLength must be >= 1 (got {PromptLength}).", nameof(PromptLength));
        if (ResponseLength < 1 || Math.Pow(VocabSize, ResponseLength) > 1 << 20)
            throw new ArgumentException($"ResponseLength must be >= 1 with VocabSize^ResponseLength <= 2^20 responses to enumerate (got {ResponseLength}).", nameof(ResponseLength));
        if (PromptCount < 1 || PromptCount > Math.Pow(VocabSize, PromptLength))
            throw new ArgumentException($"PromptCount must be in [1, VocabSize^PromptLength] (got {PromptCount}).", nameof(PromptCount));
        if (!double.IsFinite(PromptBias)) throw new ArgumentException($"PromptBias must be finite (got {PromptBias}).", nameof(PromptBias));
        if (TargetSymbol < 0 || TargetSymbol >= VocabSize) throw new ArgumentException($"TargetSymbol must be a symbol below {VocabSize} (got {TargetSymbol}).", nameof(TargetSymbol));
        if (OffTargetSymbol < 0 || OffTargetSymbol >= VocabSize) throw new ArgumentException($"OffTargetSymbol must be a symbol below {VocabSize} (got {OffTargetSymbol}).", nameof(OffTargetSymbol));
        return this;
    }

    /// <summary>Number of distinct responses per prompt, VocabSize^ResponseLength.</summary>
    public int ResponseCount => (int)Math.Pow(VocabSize, ResponseLength);
}
