using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// The per-example Jacobian of a scalar reward with respect to one weight matrix W [out, in] that is applied at T
/// positions, in factored form: ∂r/∂W = Σ_t g_t a_tᵀ, with a_t the map's input at position t (<see cref="Inputs"/>,
/// [B, T, in]) and g_t = ∂r/∂(W a_t) the reward's gradient at its output (<see cref="OutputGradients"/>, [B, T, out]).
/// A bias is an extra input column fixed at 1. The flattened parameter order is W's row-major order.
/// </summary>
public sealed record LinearBlockFactors(Tensor Inputs, Tensor OutputGradients)
{
    /// <summary>The per-example Jacobians ∂r/∂W = Σ_t g_t a_tᵀ, [B, out, in].</summary>
    public Tensor Jacobians() => einsum("bto,bti->boi", OutputGradients, Inputs);

    /// <summary>Throws <see cref="ArgumentException"/> unless the two factors are [B, T, ·] with the same B and T.</summary>
    public LinearBlockFactors Validate()
    {
        if (Inputs.dim() != 3 || OutputGradients.dim() != 3 || Inputs.shape[0] != OutputGradients.shape[0] || Inputs.shape[1] != OutputGradients.shape[1])
            throw new ArgumentException(
                $"Inputs [{string.Join(", ", Inputs.shape)}] and OutputGradients [{string.Join(", ", OutputGradients.shape)}] must be [B, T, in] and [B, T, out] with the same B and T.",
                nameof(OutputGradients));
        return this;
    }
}
