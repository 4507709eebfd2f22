using AlignLab.Models;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>Token counts of responses, for length-averaged sequence log-probabilities.</summary>
public static class ResponseLengths
{
    /// <summary>
    /// The length of each response row of [B, L]: the tokens up to and including its first token from
    /// <paramref name="endTokens"/> (<see cref="ResponseEnds"/>), or L when there is none (or the set is empty), as
    /// int64 [B]. Matches what <see cref="ISequencePolicy.SequenceLogProbs"/> sums over.
    /// </summary>
    public static Tensor Of(Tensor responses, IReadOnlyList<long> endTokens)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(endTokens);
        if (responses.dim() != 2) throw new ArgumentException($"responses must be [B, L] (got {responses.dim()} dimensions).", nameof(responses));
        using var scope = NewDisposeScope();
        return ResponseEnds.AfterEnd(responses, endTokens).logical_not().sum(1).MoveToOuterDisposeScope();
    }
}
