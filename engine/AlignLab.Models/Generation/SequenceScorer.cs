using AlignLab.Models;
using static TorchSharp.torch;

namespace AlignLab.Models.Generation;

/// <summary>Log-probabilities of given responses under a policy, in batches, without gradients.</summary>
public static class SequenceScorer
{
    /// <summary>
    /// log π(y|x) = Σ_t log π(y_t | x, y_&lt;t) of each row of <paramref name="responses"/> [B, L] given
    /// <paramref name="prompts"/> [B, P], evaluated <paramref name="batchSize"/> rows at a time; returns [B] in float32 (float64 for a float64 policy).
    /// Optional masks mark left-padded prompts and right-padded responses (see <see cref="ISequencePolicy"/>).
    /// </summary>
    public static Tensor LogProbs(ISequencePolicy policy, Tensor prompts, Tensor responses, int batchSize = 4096, Tensor? promptMask = null, Tensor? responseMask = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < prompts.shape[0]; start += batchSize)
        {
            long end = Math.Min(start + batchSize, prompts.shape[0]);
            var range = TensorIndex.Slice(start, end);
            var logProbs = policy.SequenceLogProbs(prompts[range], responses[range], promptMask?[range], responseMask?[range]);
            // Half precision is promoted to float32; a float64 policy's log-probs keep their precision (exact evaluation).
            parts.Add(logProbs.dtype == ScalarType.Float64 ? logProbs : logProbs.to(ScalarType.Float32));
        }
        return (parts.Count == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();
    }
}
