using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// A Kronecker-factored (KFAC) Bradley–Terry GGN: block-diagonal over weight matrices, each block G ⊗ A (row-major
/// vec of W [out, in]). The approximation, for a pair n whose exact block Jacobian difference is
/// D_n = Σ_t g_{w,t} a_{w,t}ᵀ − Σ_t g_{l,t} a_{l,t}ᵀ: first the KFAC-reduce step of Eschenhagen et al. (2023) over the
/// 2T signed terms, D_n ≈ ĝ_n â_nᵀ with â_n = (Σ_t a_{w,t} − Σ_t a_{l,t})/(2T) and ĝ_n = Σ_t g_{w,t} + Σ_t g_{l,t}
/// (exact when every g is the same vector, e.g. the scalar head, read at one position with g ≡ 1); then the usual
/// expectation of a Kronecker product taken as the product of expectations,
/// Σ_n h_n (ĝĝᵀ) ⊗ (ââᵀ) ≈ G ⊗ A, G = (1/N) Σ_n ĝ_n ĝ_nᵀ, A = Σ_n h_n â_n â_nᵀ (exact when ĝ_n is the same for all n).
/// So for the last layer (one output unit, g ≡ 1) this block equals the full GGN. With eigendecompositions
/// G = U_G S_G U_Gᵀ, A = U_A S_A U_Aᵀ: σ²(y) = Σ_ij (U_Gᵀ J U_A)_ij² / (s_G,i s_A,j + λ) and
/// log det((G ⊗ A + λI)/λ) = Σ_ij log(1 + s_G,i s_A,j / λ) (THEORY.md §7).
/// </summary>
public sealed class KroneckerGgn : ILaplaceCurvature
{
    private readonly (Tensor OutputFactor, Tensor InputFactor)[] _factors;
    private readonly (Tensor Values, Tensor Vectors)[] _outputEigen;
    private readonly (Tensor Values, Tensor Vectors)[] _inputEigen;

    private KroneckerGgn((Tensor, Tensor)[] factors)
    {
        _factors = factors;
        _outputEigen = factors.Select(f => Eigen(f.Item1)).ToArray();
        _inputEigen = factors.Select(f => Eigen(f.Item2)).ToArray();
        ParameterCount = factors.Sum(f => f.Item1.shape[0] * f.Item2.shape[0]);
    }

    /// <summary>The output-gradient factor G [out, out] of each block (float64).</summary>
    public IReadOnlyList<Tensor> OutputFactors => _factors.Select(f => f.OutputFactor).ToArray();

    /// <summary>The input factor A [in, in] of each block (float64).</summary>
    public IReadOnlyList<Tensor> InputFactors => _factors.Select(f => f.InputFactor).ToArray();

    /// <inheritdoc />
    public long ParameterCount { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (g, a) in _factors.Concat(_outputEigen).Concat(_inputEigen))
        {
            g.Dispose();
            a.Dispose();
        }
    }

    /// <summary>
    /// Fits the factors from the Jacobian factors of the preferred (<paramref name="chosen"/>) and dispreferred
    /// (<paramref name="rejected"/>) response of each pair and the pairs' curvatures h_n = σ(m_n)(1 − σ(m_n)), [N].
    /// </summary>
    public static KroneckerGgn Fit(IReadOnlyList<LinearBlockFactors> chosen, IReadOnlyList<LinearBlockFactors> rejected, Tensor curvature)
    {
        CurvatureChecks.CheckPairs(chosen, rejected, curvature);
        using var scope = NewDisposeScope();
        var h = curvature.to_type(ScalarType.Float64);
        var n = h.shape[0];
        var factors = chosen.Zip(rejected, (w, l) =>
        {
            var terms = w.Inputs.shape[1] + l.Inputs.shape[1];
            var a = (w.Inputs.to_type(ScalarType.Float64).sum(1) - l.Inputs.to_type(ScalarType.Float64).sum(1)) / terms;
            var g = w.OutputGradients.to_type(ScalarType.Float64).sum(1) + l.OutputGradients.to_type(ScalarType.Float64).sum(1);
            var inputFactor = einsum("n,ni,nj->ij", h, a, a);
            var outputFactor = g.t().matmul(g) / n;
            return (outputFactor.DetachFromDisposeScope(), inputFactor.DetachFromDisposeScope());
        }).ToArray();
        return new KroneckerGgn(factors);
    }

    /// <inheritdoc />
    public double LogDetRatio(double priorPrecision)
    {
        CurvatureChecks.CheckPrecision(priorPrecision);
        using var scope = NewDisposeScope();
        return _outputEigen.Zip(_inputEigen, (g, a) =>
            (g.Values.outer(a.Values) / priorPrecision).log1p().sum().item<double>()).Sum();
    }

    /// <inheritdoc />
    public Tensor PredictiveVariance(IReadOnlyList<LinearBlockFactors> blocks, double priorPrecision)
    {
        CurvatureChecks.CheckBlocks(blocks, _factors.Length);
        CurvatureChecks.CheckPrecision(priorPrecision);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int k = 0; k < _factors.Length; k++)
        {
            var j = blocks[k].Validate().Jacobians().to_type(ScalarType.Float64);
            var (sg, ug) = _outputEigen[k];
            var (sa, ua) = _inputEigen[k];
            var rotated = ug.t().matmul(j).matmul(ua);
            var term = (rotated.square() / (sg.outer(sa) + priorPrecision)).sum([1, 2]);
            total = total is null ? term : total + term;
        }
        return total!.MoveToOuterDisposeScope();
    }

    // Symmetric PSD factor: eigenvalues clamped at 0 (round-off can make them slightly negative).
    private static (Tensor Values, Tensor Vectors) Eigen(Tensor factor)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(factor);
        return (values.clamp_min(0).DetachFromDisposeScope(), vectors.DetachFromDisposeScope());
    }
}
