using AlignLab.Models.Generation;

namespace AlignLab.Dsl;

/// <summary>
/// How <see cref="LanguageModel.Generate(string, GenerationOptions)"/> samples: <see cref="N"/> continuations per
/// prompt of at most <see cref="MaxNewTokens"/> tokens each, stopping at the first of the model's end-of-sequence tokens (<see cref="LanguageModel.EosIds"/>), from the
/// model's next-token distribution with logits divided by <see cref="Temperature"/>, restricted to the
/// <see cref="TopK"/> most likely tokens (0 = all) and to the smallest set whose mass reaches <see cref="TopP"/>
/// (1 = all). <see cref="Seed"/> fixes the draws: same options, same samples. The defaults draw from the model itself.
/// </summary>
public sealed record GenerationOptions(int N = 4, int MaxNewTokens = 64, double Temperature = 1.0, int TopK = 0, double TopP = 1.0, long Seed = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this.</summary>
    public GenerationOptions Validate()
    {
        if (N < 1) throw new ArgumentException($"n must be >= 1 (got {N}).", nameof(N));
        if (MaxNewTokens < 1) throw new ArgumentException($"max-new-tokens must be >= 1 (got {MaxNewTokens}).", nameof(MaxNewTokens));
        Sampling([]); // temperature, top-k, top-p: the engine's own checks
        return this;
    }

    /// <summary>The engine's sampling options for these (validated), stopping at the first of <paramref name="endTokens"/> (empty: none).</summary>
    internal SamplingOptions Sampling(IReadOnlyList<long> endTokens) => new SamplingOptions(MaxNewTokens, Temperature, TopK, TopP, endTokens).Validate();
}
