using AlignLab.Engine.Bayesian;
using MathNet.Numerics.LinearAlgebra;
using static AlignLab.Engine.Tests.Bayesian.LaplaceFixtures;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Bayesian;

public class DiagonalGgnTests
{
    // One block W [1, 4] read at one position with g ≡ 1, so J = a.
    private static LinearBlockFactors Block(double[,] inputs) =>
        new(tensor(inputs).unsqueeze(1), ones([inputs.GetLength(0), 1, 1], ScalarType.Float64));

    [Fact]
    public void Diagonal_EqualsFullLaplace_WhenTheGgnIsDiagonal()
    {
        // Every pair differs along one axis, so GGN = Σ h d dᵀ is diagonal.
        var chosen = Block(new double[,] { { 1, 0, 0, 0 }, { 0, 2, 0, 0 }, { 0, 0, 0.5, 1 }, { 3, 0, 0, 0 } });
        var rejected = Block(new double[,] { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 1, 0, 0, 0 } });
        var h = tensor(new[] { 0.25, 0.2, 0.1, 0.15 });
        var ggn = DiagonalGgn.Fit([chosen], [rejected], h);
        var d = Dense(chosen.Inputs.squeeze(1) - rejected.Inputs.squeeze(1));
        var full = d.Transpose() * Matrix<double>.Build.DiagonalOfDiagonalArray(Values(h)) * d;
        Assert.Equal(0, (full - Matrix<double>.Build.DenseOfDiagonalVector(full.Diagonal())).FrobeniusNorm());

        var test = new double[,] { { 1, 1, 0, 0 }, { 0.3, -2, 1, 4 }, { 0, 0, 0, 1 } };
        const double lambda = 0.4;
        var expected = DenseVariance(full, lambda, Matrix<double>.Build.DenseOfArray(test));
        var actual = Values(ggn.PredictiveVariance([Block(test)], lambda));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
        Assert.Equal(DenseLogDetRatio(full, lambda), ggn.LogDetRatio(lambda), 12);
    }

    [Fact]
    public void PredictiveVariance_IsThePriorVarianceAlongDirectionsTheDataNeverMoved()
    {
        var chosen = Block(new double[,] { { 1, 2, 0, 0 } });
        var rejected = Block(new double[,] { { 0, 0, 0, 0 } });
        var ggn = DiagonalGgn.Fit([chosen], [rejected], tensor(new[] { 0.25 }));
        var variance = Values(ggn.PredictiveVariance([Block(new double[,] { { 0, 0, 1, 0 }, { 1, 0, 0, 0 } })], 2.0));
        Assert.Equal(1 / 2.0, variance[0], 14);
        Assert.Equal(1 / (0.25 + 2.0), variance[1], 14);
    }

    [Fact]
    public void Fit_RejectsMismatchedPairCounts()
    {
        var chosen = Block(new double[,] { { 1, 2, 0, 0 } });
        var e = Assert.Throws<ArgumentException>(() => DiagonalGgn.Fit([chosen], [chosen], tensor(new[] { 0.25, 0.1 })));
        Assert.Contains("curvature", e.Message);
    }
}
