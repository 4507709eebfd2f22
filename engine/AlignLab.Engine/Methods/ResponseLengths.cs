using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>Token counts of responses, for length-averaged sequence log-probabilities.</summary>
public static class ResponseLengths
{
    /// <summary>
    /// The length of each response row of [B, L]: the tokens up to and including the first <paramref name="endToken"/>,
    /// or L when there is none (or <paramref name="endToken"/> is -1), as int64 [B]. Matches what
    /// <see cref="Models.ISequencePolicy.SequenceLogProbs"/> sums over.
    /// </summary>
    public static Tensor Of(Tensor responses, long endToken)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.dim() != 2) throw new ArgumentException($"responses must be [B, L] (got {responses.dim()} dimensions).", nameof(responses));
        var length = responses.shape[1];
        if (endToken < 0) return full(responses.shape[0], length, ScalarType.Int64, responses.device);
        using var scope = NewDisposeScope();
        // Tokens after the first end token: the running count of end tokens before each position is positive.
        var ends = responses.eq(endToken).to(ScalarType.Int64);
        var endsBefore = ends.cumsum(1) - ends;
        return endsBefore.eq(0).sum(1).MoveToOuterDisposeScope();
    }
}
