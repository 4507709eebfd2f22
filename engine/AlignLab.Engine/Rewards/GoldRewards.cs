using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>Programmatic rewards and attributes of responses, as <see cref="FunctionReward"/>s of the responses alone (any prompt padding is harmless).</summary>
public static class GoldRewards
{
    /// <summary>r(y) = #{t : y_t = <paramref name="symbol"/>}, the number of times a symbol occurs in the response.</summary>
    public static FunctionReward SymbolCount(long symbol) =>
        FunctionReward.OfResponses($"count({symbol})", y => y.eq(symbol).sum(1));

    /// <summary>
    /// r(y) = #{t : y_t = <paramref name="symbol"/>} + Σ_{t=1}^{L} y_t · V^{−t}: the symbol count with the response
    /// read as a base-V fraction in [0, 1) added, so that distinct responses of length L over
    /// <paramref name="vocabSize"/> symbols get distinct rewards while the count still decides (no ties).
    /// </summary>
    public static FunctionReward SymbolCountWithoutTies(long symbol, int vocabSize)
    {
        if (vocabSize < 2) throw new ArgumentException($"vocabSize must be >= 2 (got {vocabSize}).", nameof(vocabSize));
        return FunctionReward.OfResponses($"count({symbol})+lex", y =>
        {
            var place = pow(vocabSize, -arange(1, y.shape[1] + 1, ScalarType.Float64, y.device));
            return y.eq(symbol).sum(1).to(ScalarType.Float64) + (y.to(ScalarType.Float64) * place).sum(1);
        });
    }

    /// <summary>
    /// Length of the response: the number of tokens up to and including its first token from <paramref name="endTokens"/>,
    /// or L when there is none (<see cref="Methods.ResponseLengths.Of"/>; an off-target attribute for tasks with variable-length
    /// responses).
    /// </summary>
    public static FunctionReward Length(IReadOnlyList<long> endTokens)
    {
        ArgumentNullException.ThrowIfNull(endTokens);
        long[] ends = [.. endTokens];
        return FunctionReward.OfResponses("length", y => Methods.ResponseLengths.Of(y, ends));
    }
}
