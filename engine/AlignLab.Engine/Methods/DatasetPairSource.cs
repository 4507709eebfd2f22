using AlignLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Pairs from a fixed <see cref="PreferenceDataset"/>, drawn uniformly with replacement or in epochs
/// (<see cref="PairOrder"/>). The reference policy's log-probabilities of every pair are computed once, at construction,
/// and cached (DPO/IPO never re-run the reference), with the dataset's prompt mask when its prompts are left-padded. In epoch order the pass's permutation and position are the source's
/// <see cref="State"/>, so a resumed run continues the pass.
/// </summary>
public sealed class DatasetPairSource : IPreferencePairSource, IDisposable
{
    private readonly PreferenceDataset data;
    private readonly PairOrder order;
    private readonly Tensor chosenReference;
    private readonly Tensor rejectedReference;
    private readonly Tensor permutation;
    private readonly Tensor drawn;

    /// <summary>Caches the reference log-probabilities of <paramref name="data"/>, <paramref name="chunk"/> rows at a time.</summary>
    public DatasetPairSource(PreferenceDataset data, ISequencePolicy reference, int chunk = 256, PairOrder order = PairOrder.WithReplacement)
    {
        this.data = data ?? throw new ArgumentNullException(nameof(data));
        ArgumentNullException.ThrowIfNull(reference);
        if (chunk < 1) throw new ArgumentException($"chunk must be >= 1 (got {chunk}).", nameof(chunk));
        if (data.Count < 1) throw new ArgumentException("data has no pairs.", nameof(data));
        PromptDraw.CheckMask(data.Prompts, data.PromptMask);
        if (!Enum.IsDefined(order)) throw new ArgumentException($"Unknown pair order {(int)order}.", nameof(order));
        this.order = order;
        chosenReference = ReferenceLogProbs(reference, data.Prompts, data.Chosen, data.PromptMask, chunk);
        rejectedReference = ReferenceLogProbs(reference, data.Prompts, data.Rejected, data.PromptMask, chunk);
        permutation = arange(data.Count, ScalarType.Int64, data.Prompts.device);
        drawn = zeros(1, ScalarType.Int64);
    }

    /// <summary>Number of pairs N.</summary>
    public long Count => data.Count;

    /// <summary>Steps in one pass over the data at batch size B, ⌈N/B⌉.</summary>
    public int StepsPerEpoch(int batchSize) =>
        batchSize < 1 ? throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize)) : (int)((Count + batchSize - 1) / batchSize);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => order == PairOrder.Epochs
        ? new Dictionary<string, Tensor> { ["pair_order"] = permutation, ["pairs_drawn"] = drawn }
        : new Dictionary<string, Tensor>();

    /// <inheritdoc />
    public PreferenceBatch Next(int batchSize, torch.Generator generator)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        var rows = order == PairOrder.Epochs
            ? NextInPass(batchSize, generator)
            : randint(data.Count, new long[] { batchSize }, ScalarType.Int64, data.Prompts.device, generator: generator);
        return new PreferenceBatch(
            data.Prompts.index_select(0, rows), data.Chosen.index_select(0, rows), data.Rejected.index_select(0, rows),
            chosenReference.index_select(0, rows), rejectedReference.index_select(0, rows), data.PromptMask?.index_select(0, rows));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        chosenReference.Dispose();
        rejectedReference.Dispose();
        permutation.Dispose();
        drawn.Dispose();
    }

    /// <summary>The next rows of the current pass; a new random order from the generator at the start of each pass.</summary>
    private Tensor NextInPass(int batchSize, torch.Generator generator)
    {
        // A CPU scalar: reading it costs no device synchronisation.
        var count = drawn.item<long>();
        var position = count % data.Count;
        if (position == 0)
        {
            // argsort of i.i.d. uniforms: a uniformly random order drawn from the training generator.
            using var fresh = rand(new long[] { data.Count }, ScalarType.Float64, permutation.device, generator: generator).argsort();
            permutation.copy_(fresh);
        }
        var length = Math.Min(batchSize, data.Count - position);
        drawn.fill_(count + length);
        return permutation.narrow(0, position, length);
    }

    private static Tensor ReferenceLogProbs(ISequencePolicy reference, Tensor prompts, Tensor responses, Tensor? promptMask, int chunk)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < prompts.shape[0]; start += chunk)
        {
            var length = Math.Min(chunk, prompts.shape[0] - start);
            parts.Add(reference.SequenceLogProbs(prompts.narrow(0, start, length), responses.narrow(0, start, length), promptMask?.narrow(0, start, length)).detach());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
