using AlignLab.Models.Generation;

namespace AlignLab.Engine.Estimation;

/// <summary>
/// How <see cref="MonteCarloEvaluation"/> samples: every prompt gets <see cref="SamplesPerPrompt"/> m responses from each
/// model (default 4), drawn with <see cref="Sampling"/>, <see cref="BatchSize"/> prompts at a time (default 16; a batch
/// samples BatchSize·m rows per model, and best-of-n BatchSize·n·m reference rows).
/// </summary>
/// <param name="Sampling">
/// How responses are drawn (length limit, end token, temperature, top-k/top-p). Log-probabilities for the KL are always
/// those of the unfiltered models (temperature 1, no top-k/top-p), so the KL is to the unfiltered reference.
/// </param>
/// <param name="SamplesPerPrompt">Responses m per prompt and model (default 4); m ≥ 2 gives the stratified standard error.</param>
/// <param name="BatchSize">Prompts per sampling batch (default 16).</param>
public sealed record MonteCarloConfig(SamplingOptions Sampling, int SamplesPerPrompt = 4, int BatchSize = 16)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public MonteCarloConfig Validate()
    {
        if (Sampling is null) throw new ArgumentException("Sampling must be given.", nameof(Sampling));
        Sampling.Validate();
        if (SamplesPerPrompt < 1) throw new ArgumentException($"SamplesPerPrompt must be >= 1 (got {SamplesPerPrompt}).", nameof(SamplesPerPrompt));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1 (got {BatchSize}).", nameof(BatchSize));
        return this;
    }
}
