using AlignLab.Engine.Bayesian;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static AlignLab.Engine.Tests.Bayesian.LaplaceFixtures;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Bayesian;

public class LaplaceRewardModelTests
{
    private static LaplaceRewardModel Fit(RewardModel model, LaplaceSubset subset, LaplaceStructure structure, double? lambda, int pairs = 12, long seed = 3)
    {
        var (x, w, l) = Pairs(pairs, seed);
        return LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(subset, structure, lambda));
    }

    /// <summary>Central differences of the reward with respect to each parameter, [B, P].</summary>
    private static double[,] FiniteDifferenceJacobian(RewardModel model, IReadOnlyList<Parameter> parameters, Tensor prompts, Tensor responses)
    {
        const double eps = 1e-6;
        var total = parameters.Sum(p => (int)p.numel());
        var result = new double[prompts.shape[0], total];
        int column = 0;
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            var flat = p.view(-1);
            for (int i = 0; i < flat.shape[0]; i++, column++)
            {
                var original = flat[i].item<double>();
                flat[i] = original + eps;
                var plus = Values(model.Score(prompts, responses));
                flat[i] = original - eps;
                var minus = Values(model.Score(prompts, responses));
                flat[i] = original;
                for (int b = 0; b < plus.Length; b++) result[b, column] = (plus[b] - minus[b]) / (2 * eps);
            }
        }
        return result;
    }

    private static void AssertJacobianMatches(double[,] expected, Tensor actual)
    {
        var a = Dense(actual);
        Assert.Equal(expected.GetLength(1), a.ColumnCount);
        for (int b = 0; b < a.RowCount; b++)
            for (int i = 0; i < a.ColumnCount; i++)
                Assert.True(Math.Abs(expected[b, i] - a[b, i]) < 1e-7, $"row {b} parameter {i}: finite difference {expected[b, i]}, Jacobian {a[b, i]}");
    }

    [Fact]
    public void LastLayerJacobian_MatchesFiniteDifferences()
    {
        using var model = TinyModel(1);
        var laplace = Fit(model, LaplaceSubset.LastLayer, LaplaceStructure.Kfac, 1.0);
        var (x, y, _) = Pairs(5, 11);
        var expected = FiniteDifferenceJacobian(model, [model.Head.weight!, model.Head.bias!], x, y);
        AssertJacobianMatches(expected, laplace.Jacobians(x, y));
    }

    [Fact]
    public void LoraJacobian_MatchesFiniteDifferences()
    {
        using var model = TinyLoraModel(2);
        var laplace = Fit(model, LaplaceSubset.Lora, LaplaceStructure.Diagonal, 1.0);
        var adapters = model.modules().OfType<LoraLinear>().SelectMany(l => new[] { l.LoraA, l.LoraB }).ToArray();
        Assert.Equal(adapters.Sum(a => a.numel()), laplace.ParameterCount);
        var (x, y, _) = Pairs(4, 12);
        var expected = FiniteDifferenceJacobian(model, adapters, x, y);
        AssertJacobianMatches(expected, laplace.Jacobians(x, y));
    }

    [Theory]
    [InlineData(LaplaceStructure.Kfac)]
    [InlineData(LaplaceStructure.Diagonal)]
    public void LastLayer_MatchesDenseReference(LaplaceStructure structure)
    {
        // KFAC of a one-output head read at one position (g ≡ 1) is the full GGN exactly; the diagonal structure
        // must use exactly the full GGN's diagonal.
        using var model = TinyModel(4);
        var (x, w, l) = Pairs(12, 3);
        const double lambda = 0.7;
        var laplace = LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(LaplaceSubset.LastLayer, structure, lambda));
        AssertMatchesDense(model, laplace, x, w, l, lambda, structure);
    }

    [Fact]
    public void LoraDiagonal_MatchesDenseDiagonalReference()
    {
        using var model = TinyLoraModel(5);
        var (x, w, l) = Pairs(12, 3);
        const double lambda = 0.3;
        var laplace = LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(LaplaceSubset.Lora, LaplaceStructure.Diagonal, lambda));
        AssertMatchesDense(model, laplace, x, w, l, lambda, LaplaceStructure.Diagonal);
    }

    private static void AssertMatchesDense(RewardModel model, LaplaceRewardModel laplace, Tensor x, Tensor w, Tensor l, double lambda, LaplaceStructure structure)
    {
        var margins = Values(model.Score(x, w) - model.Score(x, l));
        var ggn = FullGgn(Dense(laplace.Jacobians(x, w)), Dense(laplace.Jacobians(x, l)), margins);
        if (structure == LaplaceStructure.Diagonal)
            ggn = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalVector(ggn.Diagonal());
        var (tx, ty, tz) = Pairs(6, 21);
        var expected = DenseVariance(ggn, lambda, Dense(laplace.Jacobians(tx, ty)));
        var actual = Values(laplace.PredictiveVariance(tx, ty));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * expected[i], $"row {i}: dense {expected[i]}, Laplace {actual[i]}");
        var expectedMargin = DenseVariance(ggn, lambda, Dense(laplace.Jacobians(tx, ty) - laplace.Jacobians(tx, tz)));
        var actualMargin = Values(laplace.MarginVariance(tx, ty, tz));
        for (int i = 0; i < expectedMargin.Length; i++)
            Assert.True(Math.Abs(expectedMargin[i] - actualMargin[i]) <= 1e-9 * expectedMargin[i] + 1e-15, $"row {i}: dense margin {expectedMargin[i]}, Laplace {actualMargin[i]}");
        Assert.Equal(DenseLogDetRatio(ggn, lambda), laplace.Curvature.LogDetRatio(lambda), 9);
        var logLikelihood = margins.Sum(m => -Math.Log(1 + Math.Exp(-m)));
        var norm = Values(laplace.ParameterVector).Sum(v => v * v);
        Assert.Equal(logLikelihood - 0.5 * lambda * norm - 0.5 * DenseLogDetRatio(ggn, lambda), laplace.LogMarginalLikelihood(lambda), 9);
    }

    [Theory]
    [InlineData(LaplaceSubset.LastLayer, LaplaceStructure.Kfac)]
    [InlineData(LaplaceSubset.Lora, LaplaceStructure.Diagonal)]
    [InlineData(LaplaceSubset.Lora, LaplaceStructure.Kfac)]
    public void MarginalLikelihoodPrecision_IsTheArgmaxOverAFineGrid(LaplaceSubset subset, LaplaceStructure structure)
    {
        using var model = subset == LaplaceSubset.LastLayer ? TinyModel(6) : TinyLoraModel(6);
        var laplace = Fit(model, subset, structure, null);
        // Brute force: 4001 log-spaced points over the same range [1e-4, 1e4].
        var grid = Enumerable.Range(0, 4001).Select(i => Math.Pow(10, -4 + 8.0 * i / 4000)).ToArray();
        var best = grid.MaxBy(laplace.LogMarginalLikelihood);
        Assert.True(laplace.LogMarginalLikelihood(laplace.PriorPrecision) >= laplace.LogMarginalLikelihood(best) - 1e-9,
            $"chosen λ {laplace.PriorPrecision} is worse than grid λ {best}");
        Assert.True(Math.Abs(Math.Log10(laplace.PriorPrecision / best)) <= 8.0 / 4000, $"chosen λ {laplace.PriorPrecision}, grid argmax {best}");
    }

    [Theory]
    [InlineData(LaplaceSubset.LastLayer, LaplaceStructure.Kfac)]
    [InlineData(LaplaceSubset.LastLayer, LaplaceStructure.Diagonal)]
    [InlineData(LaplaceSubset.Lora, LaplaceStructure.Kfac)]
    [InlineData(LaplaceSubset.Lora, LaplaceStructure.Diagonal)]
    public void MarginStd_IsLargerFarFromTheTrainingData(LaplaceSubset subset, LaplaceStructure structure)
    {
        // Training responses (prompt 0) use tokens {0, 1} only: 8 sequences, whose feature differences cannot span the
        // 17 head parameters; pairs of responses made of tokens {2, 3} are off the data.
        using var model = subset == LaplaceSubset.LastLayer ? TinyModel(7, dModel: 16) : TinyLoraModel(7);
        var (x, w, l) = Pairs(64, 8, low: 0, high: 2, prompts: 1);
        var laplace = LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(subset, structure, PriorPrecision: 1e-2));
        var (nx, nearA, nearB) = Pairs(64, 9, low: 0, high: 2, prompts: 1);
        var (fx, farA, farB) = Pairs(64, 9, low: 2, high: 4, prompts: 1);
        var nearStd = laplace.MarginVariance(nx, nearA, nearB).sqrt().mean().item<double>();
        var farStd = laplace.MarginVariance(fx, farA, farB).sqrt().mean().item<double>();
        Assert.True(farStd > 1.5 * nearStd, $"mean margin std far {farStd}, near {nearStd}");
    }

    [Fact]
    public void ScoreWithUncertainty_MeanIsTheModelRewardAndStdTheRootVariance()
    {
        using var model = TinyModel(8);
        var laplace = Fit(model, LaplaceSubset.LastLayer, LaplaceStructure.Kfac, 2.0);
        var (x, y, _) = Pairs(7, 10);
        var (mean, std) = laplace.ScoreWithUncertainty(x, y);
        Assert.Equal(Values(model.Score(x, y)), Values(mean));
        Assert.Equal(Values(laplace.PredictiveVariance(x, y).sqrt()), Values(std));
    }

    [Fact]
    public void Fit_RejectsMismatchedRows()
    {
        using var model = TinyModel(9);
        var (x, w, l) = Pairs(5, 1);
        var e = Assert.Throws<ArgumentException>(() => LaplaceRewardModel.Fit(model, x, w, l.narrow(0, 0, 4)));
        Assert.Contains("rejected", e.Message);
    }

    [Fact]
    public void Fit_LoraOnAModelWithoutAdaptersThrowsClearly()
    {
        using var model = TinyModel(10);
        var (x, w, l) = Pairs(5, 1);
        var e = Assert.Throws<ArgumentException>(() => LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(LaplaceSubset.Lora)));
        Assert.Contains("LoRA", e.Message);
    }
}
