namespace AlignLab.Theory.Tests;

/// <summary>Best-of-n and worst-of-n by enumerating every n-tuple of base draws: an independent check of THEORY.md §1.</summary>
internal static class BruteForce
{
    /// <summary>The law of the kept sample when n i.i.d. base draws are ranked and the best (or worst) kept, ties uniform.</summary>
    public static double[] SelectOfN(IReadOnlyList<double> p, IReadOnlyList<double> r, int n, bool worst)
    {
        int k = p.Count;
        var result = new double[k];
        var tuple = new int[n];
        long total = (long)Math.Pow(k, n);
        for (long code = 0; code < total; code++)
        {
            long c = code;
            double prob = 1.0;
            for (int j = 0; j < n; j++)
            {
                tuple[j] = (int)(c % k);
                c /= k;
                prob *= p[tuple[j]];
            }
            double target = worst ? tuple.Min(i => r[i]) : tuple.Max(i => r[i]);
            int atTarget = tuple.Count(i => r[i] == target);
            foreach (int i in tuple)
                if (r[i] == target) result[i] += prob / atTarget;
        }
        return result;
    }
}
