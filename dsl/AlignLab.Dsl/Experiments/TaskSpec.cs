using AlignLab.Engine.Tasks;

namespace AlignLab.Dsl;

/// <summary>
/// The task an <see cref="Experiment"/> runs on: the toy language task (prompts, every response, gold reward,
/// off-target attribute) and its pretrained base model. Built with <see cref="Tasks"/>.
/// </summary>
/// <param name="Config">The task (vocabulary, lengths, prompts, reward).</param>
/// <param name="Base">The base model and its pretraining; null uses the experiment's <see cref="ExperimentScale.Base"/>.</param>
/// <param name="CacheDirectory">Where pretrained bases are cached; null uses <see cref="ModelCache.DefaultDirectory"/>.</param>
public sealed record TaskSpec(ToyTaskConfig Config, ToyBaseConfig? Base = null, string? CacheDirectory = null)
{
    /// <summary>Largest number of responses per prompt that exact evaluation enumerates, 2²⁰.</summary>
    public const int MaxEnumerableResponses = 1 << 20;

    /// <summary>A short name for tables and logs.</summary>
    public string Name => $"toy-language(V={Config.VocabSize}, L={Config.ResponseLength}, prompts={Config.PromptCount}, seed={Config.ProcessSeed})";

    /// <summary>Responses per prompt, V^L (as a double: it may exceed the int range).</summary>
    public double ResponseCount => Math.Pow(Config.VocabSize, Config.ResponseLength);

    /// <summary>True when every response can be listed, so KL and win rate are exact sums (THEORY.md §9).</summary>
    public bool IsEnumerable => ResponseCount <= MaxEnumerableResponses;

    /// <summary>This task with bases cached in <paramref name="directory"/>.</summary>
    public TaskSpec CachedIn(string directory) => this with { CacheDirectory = directory };

    /// <summary>This task with base model <paramref name="baseConfig"/>.</summary>
    public TaskSpec WithBase(ToyBaseConfig baseConfig) => this with { Base = baseConfig ?? throw new ArgumentNullException(nameof(baseConfig)) };

    /// <inheritdoc />
    public override string ToString() => Name;
}
