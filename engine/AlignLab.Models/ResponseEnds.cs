using static TorchSharp.torch;

namespace AlignLab.Models;

/// <summary>
/// Where right-padded responses end (<see cref="TransformerConfig.EndTokens"/>): at the first token from the end-token
/// set, which belongs to the response; every later position is padding. The one definition behind sampling,
/// log-probs, lengths and rewards.
/// </summary>
public static class ResponseEnds
{
    /// <summary>Bool [B, L]: whether each token of <paramref name="responses"/> [B, L] is one of <paramref name="endTokens"/>.</summary>
    public static Tensor IsEnd(Tensor responses, IReadOnlyList<long> endTokens)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(endTokens);
        var isEnd = zeros_like(responses, ScalarType.Bool);
        foreach (var end in endTokens) isEnd.bitwise_or_(responses.eq(end));
        return isEnd;
    }

    /// <summary>
    /// Bool [B, L]: the padding of each row of <paramref name="responses"/> [B, L], the positions strictly after its first
    /// token from <paramref name="endTokens"/> (none in a row without one, or when the set is empty).
    /// </summary>
    public static Tensor AfterEnd(Tensor responses, IReadOnlyList<long> endTokens)
    {
        using var scope = NewDisposeScope();
        var isEnd = IsEnd(responses, endTokens).to(ScalarType.Int64);
        // The running count of end tokens before each position is positive after the first one.
        return (isEnd.cumsum(1) - isEnd).gt(0).MoveToOuterDisposeScope();
    }
}
