using static TorchSharp.torch;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// The known generative process of the toy language. From <see cref="ToyTaskConfig.ProcessSeed"/> it draws a fixed
/// transition-score matrix A [V, V] with entries N(0, 1) and <see cref="ToyTaskConfig.PromptCount"/> distinct prompts
/// x uniformly from V^P. A response y₁ … y_L given x is a Markov chain started from the prompt's last symbol y₀ = x_P:
/// <para>P(y_t = j | y_{t−1} = i, x) ∝ exp(A[i, j] + γ · c_x(j)),</para>
/// where c_x(j) is the number of times symbol j occurs in x and γ = <see cref="ToyTaskConfig.PromptBias"/>. So the
/// exact probability of every response is known, and a model trained on samples can be compared with the truth.
/// </summary>
public sealed class ToyLanguage
{
    private readonly double[,] _scores;
    private readonly long[][] _prompts;

    /// <summary>Draws the process's transition scores and prompts from <paramref name="config"/>.</summary>
    public ToyLanguage(ToyTaskConfig config)
    {
        Config = config.Validate();
        var random = new Random(unchecked((int)config.ProcessSeed));
        int v = config.VocabSize;
        _scores = new double[v, v];
        for (int i = 0; i < v; i++)
            for (int j = 0; j < v; j++)
                _scores[i, j] = Normal(random);
        var seen = new HashSet<long>();
        var prompts = new List<long[]>();
        while (prompts.Count < config.PromptCount)
        {
            var x = Enumerable.Range(0, config.PromptLength).Select(_ => (long)random.Next(v)).ToArray();
            if (seen.Add(x.Aggregate(0L, (a, s) => a * v + s))) prompts.Add(x);
        }
        _prompts = prompts.ToArray();
    }

    /// <summary>The configuration.</summary>
    public ToyTaskConfig Config { get; }

    /// <summary>The prompts, each <see cref="ToyTaskConfig.PromptLength"/> symbols.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Prompts => _prompts;

    /// <summary>P(y_t = j | y_{t−1} = <paramref name="previous"/>, x = <paramref name="prompt"/>) for every j.</summary>
    public double[] NextSymbolProbabilities(IReadOnlyList<long> prompt, long previous)
    {
        int v = Config.VocabSize;
        var logits = new double[v];
        for (int j = 0; j < v; j++) logits[j] = _scores[previous, j] + Config.PromptBias * prompt.Count(s => s == j);
        double max = logits.Max();
        var w = logits.Select(l => Math.Exp(l - max)).ToArray();
        double total = w.Sum();
        return w.Select(x => x / total).ToArray();
    }

    /// <summary>The exact probability of <paramref name="response"/> given <paramref name="prompt"/>.</summary>
    public double Probability(IReadOnlyList<long> prompt, IReadOnlyList<long> response)
    {
        double p = 1;
        long previous = prompt[^1];
        foreach (var y in response)
        {
            p *= NextSymbolProbabilities(prompt, previous)[y];
            previous = y;
        }
        return p;
    }

    /// <summary>
    /// <paramref name="count"/> texts (prompt index uniform over the prompt set, response from the process), as
    /// prompts [count, P] and responses [count, L] int64 tensors on <paramref name="device"/>, drawn with <paramref name="random"/>.
    /// </summary>
    public (Tensor Prompts, Tensor Responses) SampleTexts(int count, Random random, Device device)
    {
        int p = Config.PromptLength, l = Config.ResponseLength;
        var prompts = new long[count * p];
        var responses = new long[count * l];
        var tables = new Dictionary<(int, long), double[]>();
        for (int r = 0; r < count; r++)
        {
            int k = random.Next(_prompts.Length);
            var x = _prompts[k];
            Array.Copy(x, 0, prompts, r * p, p);
            long previous = x[^1];
            for (int t = 0; t < l; t++)
            {
                if (!tables.TryGetValue((k, previous), out var probs)) tables[(k, previous)] = probs = NextSymbolProbabilities(x, previous);
                double u = random.NextDouble(), c = 0;
                int j = 0;
                while (j < probs.Length - 1 && (c += probs[j]) <= u) j++;
                responses[r * l + t] = previous = j;
            }
        }
        return (tensor(prompts, [count, p], device: device), tensor(responses, [count, l], device: device));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
