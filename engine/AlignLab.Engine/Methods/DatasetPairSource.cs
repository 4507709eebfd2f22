using AlignLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Pairs drawn uniformly with replacement from a fixed <see cref="PreferenceDataset"/>. The reference policy's
/// log-probabilities of every pair are computed once, at construction, and cached (DPO/IPO never re-run the reference).
/// </summary>
public sealed class DatasetPairSource : IPreferencePairSource, IDisposable
{
    private readonly PreferenceDataset data;
    private readonly Tensor chosenReference;
    private readonly Tensor rejectedReference;

    /// <summary>Caches the reference log-probabilities of <paramref name="data"/>, <paramref name="chunk"/> rows at a time.</summary>
    public DatasetPairSource(PreferenceDataset data, ISequencePolicy reference, int chunk = 256)
    {
        this.data = data ?? throw new ArgumentNullException(nameof(data));
        ArgumentNullException.ThrowIfNull(reference);
        if (chunk < 1) throw new ArgumentException($"chunk must be >= 1 (got {chunk}).", nameof(chunk));
        if (data.Count < 1) throw new ArgumentException("data has no pairs.", nameof(data));
        chosenReference = ReferenceLogProbs(reference, data.Prompts, data.Chosen, chunk);
        rejectedReference = ReferenceLogProbs(reference, data.Prompts, data.Rejected, chunk);
    }

    /// <inheritdoc />
    public PreferenceBatch Next(int batchSize, torch.Generator generator)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        var rows = randint(data.Count, new long[] { batchSize }, ScalarType.Int64, data.Prompts.device, generator: generator);
        return new PreferenceBatch(
            data.Prompts.index_select(0, rows), data.Chosen.index_select(0, rows), data.Rejected.index_select(0, rows),
            chosenReference.index_select(0, rows), rejectedReference.index_select(0, rows));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        chosenReference.Dispose();
        rejectedReference.Dispose();
    }

    private static Tensor ReferenceLogProbs(ISequencePolicy reference, Tensor prompts, Tensor responses, int chunk)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < prompts.shape[0]; start += chunk)
        {
            var length = Math.Min(chunk, prompts.shape[0] - start);
            parts.Add(reference.SequenceLogProbs(prompts.narrow(0, start, length), responses.narrow(0, start, length)).detach());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
