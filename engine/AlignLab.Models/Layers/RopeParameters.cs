using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Layers;

/// <summary>
/// How a model's rotary position embeddings turn positions into angles, in the fields of transformers'
/// <c>rope_parameters</c> (<c>rope_scaling</c> before transformers 5). Each rotated pair i &lt; d/2 of a head
/// (d = <see cref="Dimensions"/>) turns by p·ω_i at position p, with ω_i = θ^(−2i/d) (θ = <see cref="Theta"/>) changed by
/// <see cref="Type"/>:
/// <list type="bullet">
/// <item><c>default</c>: ω_i as it is.</item>
/// <item><c>linear</c> (position interpolation): ω_i / s, s = <see cref="Factor"/>.</item>
/// <item><c>dynamic</c> (NTK-aware): ω_i computed with θ' = θ·(s·L/L₀ − (s − 1))^(d/(d−2)) once a call's longest position
/// L = max(position ids) + 1 exceeds L₀ = <see cref="OriginalMaxPositions"/> (the config's max_position_embeddings), as
/// transformers' dynamic_rope_update recomputes it.</item>
/// <item><c>llama3</c>: with wavelength λ_i = 2π/ω_i, L₀ = <see cref="OriginalMaxPositions"/>, α = <see cref="LowFreqFactor"/>,
/// β = <see cref="HighFreqFactor"/>: ω_i / s where λ_i &gt; L₀/α, ω_i where λ_i &lt; L₀/β, and in between
/// (1 − γ)·ω_i/s + γ·ω_i with γ = (L₀/λ_i − α)/(β − α).</item>
/// <item><c>yarn</c>: ω_i = ω_i/s·(1 − e_i) + ω_i·e_i with e_i = 1 − clamp((i − lo)/(hi − lo), 0, 1), lo and hi the pair
/// indices that turn <see cref="BetaFast"/> and <see cref="BetaSlow"/> times over L₀ (floored/ceiled when
/// <see cref="Truncate"/>); cos and sin are multiplied by the attention factor (<see cref="AttentionScaling"/>:
/// <see cref="AttentionFactor"/>, else 0.1·ln s + 1, or the ratio of the two <c>mscale</c> terms when both are set).</item>
/// </list>
/// <see cref="PartialRotaryFactor"/> is the fraction of each head that turns (GPT-NeoX's rotary_pct).
/// </summary>
public sealed record RopeParameters(
    string Type = "default",
    double Theta = 10000,
    double Factor = 1,
    double PartialRotaryFactor = 1,
    int? OriginalMaxPositions = null,
    double LowFreqFactor = 1,
    double HighFreqFactor = 4,
    double? AttentionFactor = null,
    double BetaFast = 32,
    double BetaSlow = 1,
    double? Mscale = null,
    double? MscaleAllDim = null,
    bool Truncate = true)
{
    /// <summary>The rope types implemented (any other is refused, naming it).</summary>
    public static readonly IReadOnlyList<string> Types = ["default", "linear", "dynamic", "llama3", "yarn"];

    /// <summary>Plain rotary embeddings with θ = 10000 over whole heads.</summary>
    public static readonly RopeParameters Default = new();

    /// <summary>The number of rotated dimensions of a head of <paramref name="headDim"/> (even, at least 2).</summary>
    public int Dimensions(int headDim) => (int)(headDim * PartialRotaryFactor);

    /// <summary>The factor cos and sin are multiplied by: yarn's attention factor, 1 for every other type.</summary>
    public double AttentionScaling
    {
        get
        {
            if (Type != "yarn") return 1;
            if (AttentionFactor is { } given) return given;
            static double MscaleOf(double scale, double m) => scale <= 1 ? 1 : 0.1 * m * Math.Log(scale) + 1;
            return Mscale is { } m && m != 0 && MscaleAllDim is { } all && all != 0
                ? MscaleOf(Factor, m) / MscaleOf(Factor, all)
                : MscaleOf(Factor, 1);
        }
    }

    /// <summary>Whether the angles depend on the longest position of a call (dynamic NTK).</summary>
    public bool IsDynamic => Type == "dynamic";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this.</summary>
    public RopeParameters Validate()
    {
        if (!Types.Contains(Type))
            throw new ArgumentException($"rope_type '{Type}' is not supported (supported: {string.Join(", ", Types)}).", nameof(Type));
        if (!(Theta > 0) || double.IsInfinity(Theta)) throw new ArgumentException($"rope_theta must be > 0 (got {Theta}).", nameof(Theta));
        if (!(Factor > 0) || double.IsInfinity(Factor)) throw new ArgumentException($"the rope factor must be > 0 (got {Factor}).", nameof(Factor));
        if (!(PartialRotaryFactor > 0 && PartialRotaryFactor <= 1))
            throw new ArgumentException($"partial_rotary_factor must be in (0, 1] (got {PartialRotaryFactor}).", nameof(PartialRotaryFactor));
        if (Type is "dynamic" or "llama3" or "yarn" && OriginalMaxPositions is not > 0)
            throw new ArgumentException($"rope_type '{Type}' needs original_max_position_embeddings >= 1 (got {OriginalMaxPositions}).", nameof(OriginalMaxPositions));
        if (Type == "llama3" && !(HighFreqFactor > LowFreqFactor && LowFreqFactor > 0))
            throw new ArgumentException($"llama3 rope needs 0 < low_freq_factor < high_freq_factor (got {LowFreqFactor}, {HighFreqFactor}).", nameof(LowFreqFactor));
        if (Type == "yarn" && !(BetaFast > 0 && BetaSlow > 0))
            throw new ArgumentException($"yarn rope needs beta_fast and beta_slow > 0 (got {BetaFast}, {BetaSlow}).", nameof(BetaFast));
        return this;
    }

    /// <summary>
    /// The angular frequencies ω_i (i &lt; <paramref name="dimensions"/>/2) of a call whose longest position is
    /// <paramref name="sequenceLength"/> − 1 (used by <c>dynamic</c> only), computed in double and rounded to float.
    /// </summary>
    public float[] InverseFrequencies(int dimensions, long sequenceLength = 0)
    {
        int half = dimensions / 2;
        double theta = Theta;
        if (Type == "dynamic" && sequenceLength > OriginalMaxPositions!.Value)
            theta *= Math.Pow(Factor * sequenceLength / OriginalMaxPositions.Value - (Factor - 1), dimensions / (dimensions - 2.0));
        var omega = new double[half];
        // The exponent in float, as torch computes arange(0, d, 2).float() / d.
        for (int i = 0; i < half; i++) omega[i] = 1.0 / Math.Pow(theta, (float)(2 * i) / dimensions);
        switch (Type)
        {
            case "linear":
                for (int i = 0; i < half; i++) omega[i] /= Factor;
                break;
            case "llama3":
            {
                double context = OriginalMaxPositions!.Value, lowWavelength = context / LowFreqFactor, highWavelength = context / HighFreqFactor;
                for (int i = 0; i < half; i++)
                {
                    double wavelength = 2 * Math.PI / omega[i];
                    if (wavelength > lowWavelength) omega[i] /= Factor;
                    else if (wavelength >= highWavelength)
                    {
                        double smooth = (context / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                        omega[i] = (1 - smooth) * omega[i] / Factor + smooth * omega[i];
                    }
                }
                break;
            }
            case "yarn":
            {
                double CorrectionDim(double rotations) =>
                    dimensions * Math.Log(OriginalMaxPositions!.Value / (rotations * 2 * Math.PI)) / (2 * Math.Log(Theta));
                double low = CorrectionDim(BetaFast), high = CorrectionDim(BetaSlow);
                if (Truncate) (low, high) = (Math.Floor(low), Math.Ceiling(high));
                (low, high) = (Math.Max(low, 0), Math.Min(high, dimensions - 1));
                if (low == high) high += 0.001; // transformers' guard against a zero-width ramp
                for (int i = 0; i < half; i++)
                {
                    double extrapolation = 1 - Math.Clamp((i - low) / (high - low), 0, 1);
                    omega[i] = omega[i] / Factor * (1 - extrapolation) + omega[i] * extrapolation;
                }
                break;
            }
        }
        return omega.Select(w => (float)w).ToArray();
    }

    /// <summary>
    /// Reads the rotary fields of a config the way transformers 5 standardises them: <c>rope_scaling</c> (or, when it
    /// is absent, <c>rope_parameters</c>) gives the type — <c>rope_type</c>, or the older <c>type</c> — and its fields;
    /// θ is <c>rope_theta</c> inside it or at the top level (<paramref name="defaultTheta"/> when neither), and
    /// <c>partial_rotary_factor</c> likewise. A value given in two places that differ (rope_scaling and rope_parameters,
    /// θ inside and outside, rope_type and type) is read differently by transformers 4 and 5 and is refused, as is an
    /// unknown rope_type or a key the type does not use. <paramref name="maxPositions"/> is max_position_embeddings
    /// (the default original context of llama3 and yarn, and dynamic's threshold).
    /// </summary>
    public static RopeParameters Read(ConfigJson json, int maxPositions, double defaultTheta = 10000)
    {
        var scaling = json.Child("rope_scaling");
        var parameters = json.Child("rope_parameters");
        double? topTheta = json.Number("rope_theta"), topPartial = json.Number("partial_rotary_factor");
        var (rope, theta, partial) = scaling is not null ? ReadObject(scaling, maxPositions) : parameters is not null ? ReadObject(parameters, maxPositions) : (new RopeParameters(), null, null);
        if (scaling is not null && parameters is not null)
        {
            var (other, otherTheta, otherPartial) = ReadObject(parameters, maxPositions);
            if (other != rope || (otherTheta ?? theta) != (theta ?? otherTheta) || (otherPartial ?? partial) != (partial ?? otherPartial))
                throw json.Refused("rope_scaling and rope_parameters are both given and differ (transformers 4 reads the first, 5 the second).");
            theta ??= otherTheta;
            partial ??= otherPartial;
        }
        string where = scaling is not null ? "rope_scaling" : "rope_parameters";
        if (theta is not null && topTheta is not null && theta != topTheta)
            throw json.Refused($"rope_theta {ConfigJson.Format(topTheta.Value)} and {where}.rope_theta {ConfigJson.Format(theta.Value)} differ (transformers 4 reads the first, 5 the second).");
        if (partial is not null && topPartial is not null && partial != topPartial)
            throw json.Refused($"partial_rotary_factor {ConfigJson.Format(topPartial.Value)} and {where}.partial_rotary_factor {ConfigJson.Format(partial.Value)} differ.");
        rope = rope with { Theta = theta ?? topTheta ?? defaultTheta, PartialRotaryFactor = partial ?? topPartial ?? 1 };
        try
        {
            return rope.Validate();
        }
        catch (ArgumentException e)
        {
            throw json.Refused(e.Message);
        }
    }

    // One rope_scaling / rope_parameters object: the type's fields (the theta and partial factor it names, if any).
    private static (RopeParameters Rope, double? Theta, double? Partial) ReadObject(ConfigJson o, int maxPositions)
    {
        string? ropeType = o.String("rope_type"), legacyType = o.String("type");
        if (ropeType is not null && legacyType is not null && ropeType != legacyType)
            throw o.Refused($"{o.Name("rope_type")} '{ropeType}' and {o.Name("type")} '{legacyType}' differ.");
        string type = ropeType ?? legacyType ?? "default";
        if (!Types.Contains(type))
            throw o.Refused($"{o.Name("rope_type")} '{type}' is not supported (supported: {string.Join(", ", Types)}).");
        double? theta = o.Number("rope_theta"), partial = o.Number("partial_rotary_factor");
        var rope = new RopeParameters(type);
        double Required(string key) => o.Number(key) ?? throw o.Refused($"rope_type '{type}' needs {o.Name(key)}.");
        switch (type)
        {
            case "linear":
                rope = rope with { Factor = Required("factor") };
                break;
            case "dynamic":
                rope = rope with { Factor = Required("factor"), OriginalMaxPositions = maxPositions };
                break;
            case "llama3":
                rope = rope with
                {
                    Factor = Required("factor"), LowFreqFactor = Required("low_freq_factor"), HighFreqFactor = Required("high_freq_factor"),
                    OriginalMaxPositions = o.Int("original_max_position_embeddings") ?? maxPositions,
                };
                break;
            case "yarn":
                rope = rope with
                {
                    Factor = Required("factor"), OriginalMaxPositions = o.Int("original_max_position_embeddings") ?? maxPositions,
                    AttentionFactor = o.Number("attention_factor"), BetaFast = o.Number("beta_fast") ?? 32, BetaSlow = o.Number("beta_slow") ?? 1,
                    Mscale = o.Number("mscale"), MscaleAllDim = o.Number("mscale_all_dim"), Truncate = o.Bool("truncate") ?? true,
                };
                break;
        }
        o.Finish($"rope_type '{type}'");
        return (rope, theta, partial);
    }

    /// <summary>
    /// Writes these parameters into <paramref name="json"/> in both forms, so transformers 4 and 5 read the same
    /// rotation: top-level <c>rope_theta</c> and <c>rope_scaling</c> (null for plain rope) for 4.x, and
    /// <c>rope_parameters</c> (θ and the type's fields) for 5.x. <paramref name="partialKey"/> names the top-level key
    /// of the partial factor when the architecture has one.
    /// </summary>
    public void Write(JsonObject json, string? partialKey = null)
    {
        json["rope_theta"] = Theta;
        if (partialKey is not null) json[partialKey] = PartialRotaryFactor;
        var fields = Fields();
        json["rope_scaling"] = Type == "default" ? null : Copy(fields);
        var parameters = Copy(fields);
        parameters["rope_theta"] = Theta;
        if (PartialRotaryFactor != 1) parameters["partial_rotary_factor"] = PartialRotaryFactor;
        json["rope_parameters"] = parameters;
    }

    private JsonObject Fields()
    {
        var o = new JsonObject { ["rope_type"] = Type };
        switch (Type)
        {
            case "linear" or "dynamic":
                o["factor"] = Factor;
                break;
            case "llama3":
                o["factor"] = Factor;
                o["low_freq_factor"] = LowFreqFactor;
                o["high_freq_factor"] = HighFreqFactor;
                o["original_max_position_embeddings"] = OriginalMaxPositions;
                break;
            case "yarn":
                o["factor"] = Factor;
                o["original_max_position_embeddings"] = OriginalMaxPositions;
                if (AttentionFactor is { } a) o["attention_factor"] = a;
                o["beta_fast"] = BetaFast;
                o["beta_slow"] = BetaSlow;
                if (Mscale is { } m) o["mscale"] = m;
                if (MscaleAllDim is { } all) o["mscale_all_dim"] = all;
                if (!Truncate) o["truncate"] = false;
                break;
        }
        return o;
    }

    private static JsonObject Copy(JsonObject o) => (JsonObject)o.DeepClone();

    /// <summary>A one-line description: type, θ, factor and the type's own fields (for <c>alignlab model info</c>).</summary>
    public override string ToString()
    {
        string theta = $"θ {ConfigJson.Format(Theta)}";
        string partial = PartialRotaryFactor == 1 ? "" : $", {ConfigJson.Format(PartialRotaryFactor)} of each head";
        return Type switch
        {
            "default" => $"default, {theta}{partial}",
            "linear" => $"linear, {theta}, factor {ConfigJson.Format(Factor)}{partial}",
            "dynamic" => $"dynamic NTK, {theta}, factor {ConfigJson.Format(Factor)} past {OriginalMaxPositions} positions{partial}",
            "llama3" => $"llama3, {theta}, factor {ConfigJson.Format(Factor)}, original context {OriginalMaxPositions}, low/high frequency factors {ConfigJson.Format(LowFreqFactor)}/{ConfigJson.Format(HighFreqFactor)}{partial}",
            _ => $"yarn, {theta}, factor {ConfigJson.Format(Factor)}, original context {OriginalMaxPositions}, attention factor {AttentionScaling:0.####}, β fast/slow {ConfigJson.Format(BetaFast)}/{ConfigJson.Format(BetaSlow)}{partial}",
        };
    }
}
