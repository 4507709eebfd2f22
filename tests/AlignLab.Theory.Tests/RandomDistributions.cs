using FsCheck;

namespace AlignLab.Theory.Tests;

/// <summary>Builds distributions from FsCheck-generated inputs, with or without tied rewards.</summary>
internal static class RandomDistributions
{
    /// <summary>
    /// Weights from <paramref name="weights"/>; rewards from <paramref name="levels"/> (cycled): with ties, three reward
    /// values only; without, v·K + i, all distinct.
    /// </summary>
    public static RewardDistribution From(NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties)
    {
        int k = weights.Get.Length;
        var w = weights.Get.Select(x => (double)x.Get).ToArray();
        var r = new double[k];
        for (int i = 0; i < k; i++)
        {
            int v = levels.Get[i % levels.Get.Length].Get;
            r[i] = ties ? v % 3 : (double)v * k + i;
        }
        return RewardDistribution.Normalize(w, r);
    }

    /// <summary>K outcomes of mass 1/K with distinct rewards 0..K−1: the continuous case in the limit K → ∞.</summary>
    public static RewardDistribution EqualMassDistinct(int k) =>
        new(Enumerable.Repeat(1.0 / k, k).ToArray(), Enumerable.Range(0, k).Select(i => (double)i).ToArray());

    /// <summary>A small distribution with ties: rewards 1, 3, 1, 2, 3 (levels 1, 2, 3 of masses .3, .2, .5).</summary>
    public static RewardDistribution SmallWithTies() =>
        new(new[] { 0.1, 0.3, 0.2, 0.2, 0.2 }, new[] { 1.0, 3.0, 1.0, 2.0, 3.0 });
}
