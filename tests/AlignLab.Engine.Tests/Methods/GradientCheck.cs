using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

/// <summary>Autograd gradient of a scalar function of a float64 vector against central finite differences.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// Step 1e-6 in float64: truncation O(h²) ≈ 1e-12 and rounding O(ε/h) ≈ 1e-10 for O(1) losses, so 1e-7 is a safe
    /// absolute tolerance.
    /// </summary>
    public static void AssertMatchesFiniteDifferences(Func<Tensor, Tensor> loss, double[] point)
    {
        using var x = tensor(point, ScalarType.Float64).requires_grad_(true);
        using var value = loss(x);
        value.backward();
        var analytic = x.grad!.data<double>().ToArray();
        const double h = 1e-6;
        for (var i = 0; i < point.Length; i++)
        {
            var plus = (double[])point.Clone();
            var minus = (double[])point.Clone();
            plus[i] += h;
            minus[i] -= h;
            using var fp = loss(tensor(plus, ScalarType.Float64));
            using var fm = loss(tensor(minus, ScalarType.Float64));
            var numeric = (fp.item<double>() - fm.item<double>()) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 1e-7, $"d/dx_{i}: autograd {analytic[i]} vs finite difference {numeric}");
        }
    }
}
