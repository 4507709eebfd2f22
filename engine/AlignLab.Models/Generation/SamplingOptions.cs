using AlignLab.Models;

namespace AlignLab.Models.Generation;

/// <summary>
/// How to draw responses. <see cref="Temperature"/> &gt; 0 divides the logits; <see cref="TopK"/> keeps the k most likely
/// tokens (0 = all); <see cref="TopP"/> in (0, 1] keeps the smallest set of tokens whose mass reaches p (nucleus);
/// generation stops at <see cref="MaxLength"/> tokens or after the first token from <see cref="EndTokens"/> (null or
/// empty = none; later positions are filled with the set's first id and log-prob 0; a model's set is
/// <see cref="CausalLm.EndTokens"/>). <see cref="UseKvCache"/> (default true) feeds one token per step through a
/// KV cache instead of re-running the whole sequence; <see cref="SharePromptCache"/> (default true, needs the KV cache)
/// encodes each prompt once and copies its cache to the n continuations instead of encoding it n times.
/// Defaults sample from the model's own distribution, which is what the theory assumes.
/// </summary>
public sealed record SamplingOptions(int MaxLength, double Temperature = 1.0, int TopK = 0, double TopP = 1.0, IReadOnlyList<long>? EndTokens = null, bool UseKvCache = true, bool SharePromptCache = true)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public SamplingOptions Validate()
    {
        if (MaxLength < 1) throw new ArgumentException($"MaxLength must be >= 1 (got {MaxLength}).", nameof(MaxLength));
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"Temperature must be > 0 and finite (got {Temperature}).", nameof(Temperature));
        if (TopK < 0) throw new ArgumentException($"TopK must be >= 0, 0 meaning no limit (got {TopK}).", nameof(TopK));
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"TopP must be in (0, 1] (got {TopP}).", nameof(TopP));
        foreach (var end in EndTokens ?? [])
            if (end < 0) throw new ArgumentException($"EndTokens must be token ids >= 0 (got {end}).", nameof(EndTokens));
        return this;
    }
}
