using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Lora;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Bayesian;

/// <summary>Tiny float64 reward models, preference pairs and the dense (full-GGN) Laplace reference.</summary>
internal static class LaplaceFixtures
{
    public const int Vocab = 4;

    public static RewardModel TinyModel(long seed, int dModel = 8)
    {
        manual_seed(seed);
        var model = new RewardModel(new TinyGptConfig(VocabSize: Vocab, PromptLength: 1, DModel: dModel, Heads: 2, Layers: 1, MaxLength: 4));
        model.to(ScalarType.Float64);
        using (no_grad()) nn.init.normal_(model.Head.weight!, 0, 0.3); // margins of order 1, so h_n = σ(1 − σ) varies between pairs
        return model;
    }

    /// <summary>A tiny model with rank-1 LoRA on every trunk linear layer and non-zero B (so ∂r/∂A ≠ 0).</summary>
    public static RewardModel TinyLoraModel(long seed)
    {
        var model = TinyModel(seed, dModel: 4);
        LoraAdapters.Apply(model, new LoraConfig(Rank: 1, Alpha: 1), name => name.StartsWith("trunk"));
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.EndsWith("lora_b")) nn.init.normal_(p, 0, 0.5);
        return model;
    }

    /// <summary>Random prompts [n, 1] over tokens [0, prompts) and responses [n, 3] over tokens [low, high).</summary>
    public static (Tensor Prompts, Tensor Chosen, Tensor Rejected) Pairs(int n, long seed, int low = 0, int high = Vocab, int prompts = Vocab)
    {
        var g = new Generator((ulong)seed);
        return (randint(0, prompts, [n, 1], generator: g), randint(low, high, [n, 3], generator: g), randint(low, high, [n, 3], generator: g));
    }

    public static Matrix<double> Dense(Tensor t)
    {
        var rows = (int)t.shape[0];
        var cols = (int)t.shape[1];
        var values = t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        return Matrix<double>.Build.Dense(rows, cols, (i, j) => values[i * cols + j]);
    }

    /// <summary>The full GGN Σ_n h_n (J_w − J_l)ᵀ(J_w − J_l), h_n = σ(m_n)(1 − σ(m_n)), built densely from Jacobians.</summary>
    public static Matrix<double> FullGgn(Matrix<double> jChosen, Matrix<double> jRejected, double[] margins)
    {
        var d = jChosen - jRejected;
        var h = margins.Select(m => { var s = 1 / (1 + Math.Exp(-m)); return s * (1 - s); }).ToArray();
        return d.Transpose() * Matrix<double>.Build.DiagonalOfDiagonalArray(h) * d;
    }

    /// <summary>J (GGN + λI)⁻¹ Jᵀ for each row of <paramref name="j"/>.</summary>
    public static double[] DenseVariance(Matrix<double> ggn, double lambda, Matrix<double> j)
    {
        var precision = ggn + lambda * Matrix<double>.Build.DenseIdentity(ggn.RowCount);
        var solved = precision.Cholesky().Solve(j.Transpose());
        return Enumerable.Range(0, j.RowCount).Select(i => j.Row(i) * solved.Column(i)).ToArray();
    }

    /// <summary>log det((GGN + λI)/λ).</summary>
    public static double DenseLogDetRatio(Matrix<double> ggn, double lambda) =>
        (ggn / lambda + Matrix<double>.Build.DenseIdentity(ggn.RowCount)).Cholesky().DeterminantLn;

    public static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}
