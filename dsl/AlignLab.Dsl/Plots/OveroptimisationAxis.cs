namespace AlignLab.Dsl.Plots;

/// <summary>The x axis of an <see cref="OveroptimisationChart"/>.</summary>
public enum OveroptimisationAxis
{
    /// <summary>The number of samples n of best-of-n, on a logarithmic axis.</summary>
    N,

    /// <summary>KL(π‖p) to the base policy, in nats, on a linear axis.</summary>
    Kl,
}
