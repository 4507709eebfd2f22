using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// A structured approximation of the Bradley–Terry generalised Gauss–Newton matrix GGN = Σ_n h_n d_n d_nᵀ over a
/// parameter subset (d_n = J(y_w) − J(y_l), h_n = σ(m_n)(1 − σ(m_n)), THEORY.md §7), with the two quantities a Laplace
/// posterior N(θ*, (GGN + λI)⁻¹) needs. It owns its factor tensors: dispose it to free them.
/// </summary>
public interface ILaplaceCurvature : IDisposable
{
    /// <summary>Number of parameters P covered.</summary>
    long ParameterCount { get; }

    /// <summary>log det((GGN + λI)/λ), the Occam term of the Laplace marginal likelihood.</summary>
    double LogDetRatio(double priorPrecision);

    /// <summary>
    /// The linearised predictive variance σ²(y) = J(y) (GGN + λI)⁻¹ J(y)ᵀ of each example [B] (float64), from the
    /// examples' Jacobian factors, one per block, in the order the curvature was fitted with.
    /// </summary>
    Tensor PredictiveVariance(IReadOnlyList<LinearBlockFactors> blocks, double priorPrecision);
}
