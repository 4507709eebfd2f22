namespace AlignLab.Theory.Objectives;

/// <summary>
/// Sums against the law M(a, b) = P(max level = a, min level = b) of n base draws (<see cref="BestWorstLaw"/>) without
/// forming the L×L matrix: <see cref="Below"/>(v)[a] = Σ_{b&lt;a} M(a, b)·v[b], <see cref="Above"/>(u)[b] =
/// Σ_{a&gt;b} M(a, b)·u[a], and the diagonal M(a, a) = q(a)ⁿ. This is what makes IPO-BoN's exact objective affordable on
/// the toy task's 7,776 outcomes per prompt: O(L·n²) instead of O(L²) time and O(L) instead of O(L²) memory.
/// <para>
/// For a &gt; b, with d = F⁻(a) − F(b) ≥ 0 the mass strictly between the two levels, M(a, b) =
/// (d + q_a + q_b)ⁿ − (d + q_b)ⁿ − (d + q_a)ⁿ + dⁿ = Σ_{j&lt;n} C(n, j)·q_aⁿ⁻ʲ·[(d + q_b)ʲ − dʲ]. A sweep over the levels
/// keeps D_j = Σ_{b&lt;a} [(d_b + q_b)ʲ − dʲ_b]·v[b] for j ≤ n; stepping to the next level adds q_a to every d_b, a
/// binomial shift of D. Every term is non-negative, so unlike expanding (x − y)ⁿ around 0 (or the four-term
/// inclusion–exclusion) nothing cancels: the sums keep full relative precision for non-negative weights.
/// </para>
/// </summary>
internal sealed class ExtremeLevelSums
{
    private readonly int n;
    private readonly double[] masses;
    private readonly double[,] binomial; // C(k, j) for 0 ≤ j ≤ k ≤ n

    public ExtremeLevelSums(IReadOnlyList<double> levelMasses, int n)
    {
        ArgumentChecks.NotNull(levelMasses, nameof(levelMasses));
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        this.n = n;
        masses = [.. levelMasses];
        Diagonal = masses.Select(q => Math.Pow(q, n)).ToArray();
        binomial = new double[n + 1, n + 1];
        for (var k = 0; k <= n; k++)
        {
            binomial[k, 0] = binomial[k, k] = 1;
            for (var j = 1; j < k; j++) binomial[k, j] = binomial[k - 1, j - 1] + binomial[k - 1, j];
        }
    }

    /// <summary>Number of levels L.</summary>
    public int Count => masses.Length;

    /// <summary>M(a, a) = q(a)ⁿ: all n draws on level a.</summary>
    public double[] Diagonal { get; }

    /// <summary>Σ_{b&lt;a} M(a, b)·v[b] for every level a.</summary>
    public double[] Below(IReadOnlyList<double> v) => Sweep(Enumerable.Range(0, Count), v);

    /// <summary>Σ_{a&gt;b} M(a, b)·u[a] for every level b (M is symmetric in the roles of q_a and q_b, so this is the
    /// same sweep from the top level down).</summary>
    public double[] Above(IReadOnlyList<double> u) => Sweep(Enumerable.Range(0, Count).Reverse(), u);

    private double[] Sweep(IEnumerable<int> order, IReadOnlyList<double> weights)
    {
        if (weights.Count != Count) throw new ArgumentException($"weights has {weights.Count} entries but there are {Count} levels.", nameof(weights));
        var result = new double[Count];
        var d = new double[n + 1];
        var shifted = new double[n + 1];
        var powers = new double[n + 1];
        foreach (var level in order)
        {
            var q = masses[level];
            powers[0] = 1;
            for (var k = 1; k <= n; k++) powers[k] = powers[k - 1] * q;
            var total = 0.0;
            for (var j = 0; j < n; j++) total += binomial[n, j] * powers[n - j] * d[j];
            result[level] = total;
            // Every earlier level's gap d_b grows by q: D_k ← Σ_{j≤k} C(k, j)·q^{k−j}·D_j; then this level joins with
            // d = 0: its term (0 + q)^k − 0^k.
            for (var k = 0; k <= n; k++)
            {
                var sum = 0.0;
                for (var j = 0; j <= k; j++) sum += binomial[k, j] * powers[k - j] * d[j];
                shifted[k] = sum + (k == 0 ? 0.0 : powers[k] * weights[level]);
            }
            (d, shifted) = (shifted, d);
        }
        return result;
    }
}
