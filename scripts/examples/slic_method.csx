// slic_method.csx: a new alignment method in ONE file — the example of docs/tutorial.md. #load it from a script.
//
// SLiC-style calibration (Zhao et al. 2023) on best/worst-of-n pairs: a hinge on the policy's log-ratio gap
//   h_θ = log π_θ(y_best|x)/p(y_best|x) − log π_θ(y_worst|x)/p(y_worst|x),
//   L(θ) = (1/B)·Σ_b max(0, δ − h_θ,b),
// which pushes the gap up to the margin δ and then stops (unlike DPO's log-sigmoid, which never stops, and like IPO,
// which pins the gap at 1/(2β) from both sides; THEORY.md §4). A method is a config record plus a class implementing
// IAlignmentMethod: how to draw a batch and its loss. The shared Trainer does the rest.

/// <summary>SLiC calibration: margin δ (default 2.0, in nats of log-ratio gap) and pairs per step (default 32).</summary>
public sealed record SlicConfig(double Margin = 2.0, int BatchSize = 32)
{
    /// <summary>Throws ArgumentException naming the first invalid field; returns this config.</summary>
    public SlicConfig Validate()
    {
        if (!(Margin > 0) || !double.IsFinite(Margin)) throw new ArgumentException($"Margin must be a positive number (got {Margin}).", nameof(Margin));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        return this;
    }
}

/// <summary>SLiC calibration loss mean(max(0, δ − h_θ)) on preference pairs from <c>pairs</c>.</summary>
public sealed class SlicMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly IPreferencePairSource pairs;
    private readonly SlicConfig config;

    public SlicMethod(ISequencePolicy policy, IPreferencePairSource pairs, SlicConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.pairs = pairs ?? throw new ArgumentNullException(nameof(pairs));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
    }

    public string Name => "slic";

    public torch.nn.Module Module => policy.Module;

    public IReadOnlyDictionary<string, torch.Tensor> State => new Dictionary<string, torch.Tensor>();

    /// <summary>The hinge loss mean(max(0, δ − h)) of log-ratio gaps h [B].</summary>
    public static torch.Tensor Loss(torch.Tensor logRatioGap, double margin) => (margin - logRatioGap).clamp_min(0).mean();

    public MethodOutput Step(torch.Generator generator)
    {
        var batch = pairs.Next(config.BatchSize, generator);
        // h_θ: the policy's log-ratio to the reference on the chosen response minus that on the rejected one, [B].
        var gap = PreferenceGap.Of(policy, batch);
        return new MethodOutput(Loss(gap, config.Margin), new Dictionary<string, torch.Tensor> { ["gap"] = gap.detach().mean() });
    }
}
