namespace AlignLab.Models.Lora;

/// <summary>
/// Low-rank adaptation (Hu et al. 2021): a frozen linear map W is replaced by W + s·B A with A [r, in], B [out, r] and
/// scale s = α/r (or α/√r with <see cref="UseRsLora"/>, Kalajdzievski 2023). <see cref="Rank"/> r (default 8) and
/// <see cref="Alpha"/> α (default 16) set the update's rank and scale; <see cref="Dropout"/> is applied to the
/// adapter's input only (y = W x + s·B A dropout(x), as PEFT does). <see cref="TargetModules"/> chooses the layers
/// like PEFT's <c>target_modules</c>: a linear layer is adapted when its dotted module path equals an entry or ends
/// with "." + entry (<c>q_proj</c>, <c>v_proj</c>, <c>c_attn</c>, <c>query_key_value</c>, <c>model.layers.0.mlp.up_proj</c>);
/// null adapts every linear layer that can be wrapped.
/// </summary>
public sealed record LoraConfig(int Rank = 8, double Alpha = 16, double Dropout = 0, IReadOnlyList<string>? TargetModules = null, bool UseRsLora = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public LoraConfig Validate()
    {
        if (Rank < 1) throw new ArgumentException($"Rank must be >= 1 (got {Rank}).", nameof(Rank));
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"Alpha must be > 0 and finite (got {Alpha}).", nameof(Alpha));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1) (got {Dropout}).", nameof(Dropout));
        if (TargetModules is not null && (TargetModules.Count == 0 || TargetModules.Any(string.IsNullOrWhiteSpace)))
            throw new ArgumentException("TargetModules must be null (every linear layer) or a non-empty list of module names.", nameof(TargetModules));
        return this;
    }

    /// <summary>The scale s applied to the low-rank update: α/r, or α/√r with <see cref="UseRsLora"/>.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>
    /// Whether the module at dotted path <paramref name="path"/> is one of <see cref="TargetModules"/> (PEFT's rule for a
    /// list: the path equals an entry or ends with "." + entry). True for every path when TargetModules is null.
    /// </summary>
    public bool Targets(string path) =>
        TargetModules is null || TargetModules.Any(t => path == t || path.EndsWith("." + t, StringComparison.Ordinal));
}
