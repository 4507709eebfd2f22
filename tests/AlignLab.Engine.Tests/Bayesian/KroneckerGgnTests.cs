using AlignLab.Engine.Bayesian;
using MathNet.Numerics.LinearAlgebra;
using static AlignLab.Engine.Tests.Bayesian.LaplaceFixtures;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Bayesian;

public class KroneckerGgnTests
{
    [Fact]
    public void Kfac_EqualsFullGgn_WhenEveryOutputGradientIsTheSame()
    {
        // W [2, 3] read at one position, the same output gradient g for every row: then D_n = g (a_w − a_l)ᵀ and the
        // Kronecker factorisation is exact (the documented case, of which the scalar head is the one-output instance).
        var g = new[] { 1.5, -0.5 };
        var gen = new TorchSharp.torch.Generator(5);
        var aw = randn([6, 1, 3], ScalarType.Float64, generator: gen);
        var al = randn([6, 1, 3], ScalarType.Float64, generator: gen);
        var gw = tensor(g).view(1, 1, 2).expand(6, 1, 2);
        var h = rand([6], ScalarType.Float64, generator: gen) * 0.25;
        var chosen = new LinearBlockFactors(aw, gw);
        var rejected = new LinearBlockFactors(al, gw);
        var kfac = KroneckerGgn.Fit([chosen], [rejected], h);

        var d = Dense(chosen.Jacobians().flatten(1) - rejected.Jacobians().flatten(1));
        var full = d.Transpose() * Matrix<double>.Build.DiagonalOfDiagonalArray(Values(h)) * d;
        var test = new LinearBlockFactors(randn([4, 2, 3], ScalarType.Float64, generator: gen), randn([4, 2, 2], ScalarType.Float64, generator: gen));
        const double lambda = 0.3;
        var expected = DenseVariance(full, lambda, Dense(test.Jacobians().flatten(1)));
        var actual = Values(kfac.PredictiveVariance([test], lambda));
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-10 * expected[i], $"row {i}: dense {expected[i]}, KFAC {actual[i]}");
        Assert.Equal(DenseLogDetRatio(full, lambda), kfac.LogDetRatio(lambda), 10);
    }

    [Fact]
    public void Kfac_IsBlockDiagonalOverWeightMatrices()
    {
        // Two blocks: the variance is the sum of the blocks' variances fitted separately.
        var gen = new TorchSharp.torch.Generator(6);
        LinearBlockFactors Random(int rows, int t, int input, int output) =>
            new(randn([rows, t, input], ScalarType.Float64, generator: gen), randn([rows, t, output], ScalarType.Float64, generator: gen));
        var (w1, l1, w2, l2) = (Random(5, 2, 3, 2), Random(5, 2, 3, 2), Random(5, 2, 2, 4), Random(5, 2, 2, 4));
        var h = rand([5], ScalarType.Float64, generator: gen) * 0.25;
        var (t1, t2) = (Random(3, 2, 3, 2), Random(3, 2, 2, 4));
        var both = Values(KroneckerGgn.Fit([w1, w2], [l1, l2], h).PredictiveVariance([t1, t2], 0.5));
        var first = Values(KroneckerGgn.Fit([w1], [l1], h).PredictiveVariance([t1], 0.5));
        var second = Values(KroneckerGgn.Fit([w2], [l2], h).PredictiveVariance([t2], 0.5));
        for (int i = 0; i < both.Length; i++) Assert.Equal(first[i] + second[i], both[i], 10);
    }
}
