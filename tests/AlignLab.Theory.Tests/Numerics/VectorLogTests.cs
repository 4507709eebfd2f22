using System.Runtime.Intrinsics;

namespace AlignLab.Theory.Tests;

public class VectorLogTests
{
    [Fact]
    public void Log_MatchesMathLog_WithinTwoUlps_AcrossTheNormalRange()
    {
        var random = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            // Log-uniform over [1e-300, 1e300], plus values just around 1 where log is tiny.
            double x = i % 4 == 0 ? 1.0 + (random.NextDouble() - 0.5) * 1e-6 : Math.Exp((random.NextDouble() * 2 - 1) * 690);
            var lanes = VectorLog.Log(Vector256.Create(x, x * 1.5, x * 0.75, 1.0));
            Assert.Equal(0.0, lanes[3]);
            for (int lane = 0; lane < 3; lane++)
            {
                double input = lane switch { 0 => x, 1 => x * 1.5, _ => x * 0.75 };
                double expected = Math.Log(input);
                Assert.True(Math.Abs(lanes[lane] - expected) <= 2 * Math.BitIncrement(Math.Abs(expected)) - 2 * Math.Abs(expected) + 1e-300,
                    $"log({input:R}) = {expected:R}, vector gave {lanes[lane]:R}");
            }
        }
    }
}
