using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// The exact diagonal of the Bradley–Terry GGN, GGN_ii = Σ_n h_n (J_i(y_w,n) − J_i(y_l,n))², all off-diagonal terms
/// dropped. Predictive variance σ²(y) = Σ_i J_i(y)² / (GGN_ii + λ); log det((GGN + λI)/λ) = Σ_i log(1 + GGN_ii/λ)
/// (THEORY.md §7). Equals the full Laplace approximation exactly when the GGN is diagonal.
/// </summary>
public sealed class DiagonalGgn : ILaplaceCurvature
{
    private readonly Tensor[] _diagonals;

    private DiagonalGgn(Tensor[] diagonals)
    {
        _diagonals = diagonals;
        ParameterCount = diagonals.Sum(d => d.numel());
    }

    /// <summary>The GGN diagonal of each block, shaped like its weight [out, in] (float64).</summary>
    public IReadOnlyList<Tensor> Diagonals => _diagonals;

    /// <inheritdoc />
    public long ParameterCount { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var d in _diagonals) d.Dispose();
    }

    /// <summary>
    /// Fits the diagonal from the Jacobian factors of the preferred (<paramref name="chosen"/>) and dispreferred
    /// (<paramref name="rejected"/>) response of each pair and the pairs' curvatures h_n = σ(m_n)(1 − σ(m_n)), [N].
    /// </summary>
    public static DiagonalGgn Fit(IReadOnlyList<LinearBlockFactors> chosen, IReadOnlyList<LinearBlockFactors> rejected, Tensor curvature)
    {
        CurvatureChecks.CheckPairs(chosen, rejected, curvature);
        using var scope = NewDisposeScope();
        var h = curvature.to_type(ScalarType.Float64).view(-1, 1, 1);
        var diagonals = chosen.Zip(rejected, (w, l) =>
        {
            var d = w.Jacobians().to_type(ScalarType.Float64) - l.Jacobians().to_type(ScalarType.Float64);
            return (h * d.square()).sum(dim: 0).DetachFromDisposeScope();
        }).ToArray();
        return new DiagonalGgn(diagonals);
    }

    /// <inheritdoc />
    public double LogDetRatio(double priorPrecision)
    {
        CurvatureChecks.CheckPrecision(priorPrecision);
        using var scope = NewDisposeScope();
        return _diagonals.Sum(d => (d / priorPrecision).log1p().sum().item<double>());
    }

    /// <inheritdoc />
    public Tensor PredictiveVariance(IReadOnlyList<LinearBlockFactors> blocks, double priorPrecision)
    {
        CurvatureChecks.CheckBlocks(blocks, _diagonals.Length);
        CurvatureChecks.CheckPrecision(priorPrecision);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int k = 0; k < _diagonals.Length; k++)
        {
            var j = blocks[k].Validate().Jacobians().to_type(ScalarType.Float64);
            var term = (j.square() / (_diagonals[k] + priorPrecision)).sum([1, 2]);
            total = total is null ? term : total + term;
        }
        return total!.MoveToOuterDisposeScope();
    }
}
