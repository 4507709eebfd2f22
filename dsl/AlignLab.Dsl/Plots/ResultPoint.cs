namespace AlignLab.Dsl.Plots;

/// <summary>
/// One trained or sampled result on a frontier chart: a point at (KL, value) with ±1 standard-error bars on both axes
/// (0 for an exact value, e.g. KL computed by enumeration). Points sharing a <paramref name="Name"/> form one legend
/// entry (one method's sweep).
/// </summary>
/// <param name="Name">Legend entry, e.g. "BoNBoN α=0.1".</param>
/// <param name="Kl">KL divergence to the base policy, in nats.</param>
/// <param name="KlStdErr">Standard error of <paramref name="Kl"/> (≥ 0).</param>
/// <param name="Value">Win rate against the base or expected reward.</param>
/// <param name="ValueStdErr">Standard error of <paramref name="Value"/> (≥ 0).</param>
/// <param name="Label">Optional hover text, e.g. "n=8" or "β=0.1".</param>
public sealed record ResultPoint(string Name, double Kl, double KlStdErr, double Value, double ValueStdErr, string? Label = null);
