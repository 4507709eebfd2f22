using System.Globalization;
using System.Text;

namespace AlignLab.Engine.Experiments;

/// <summary>
/// What <see cref="OverOptimisation.Run"/> measured: every curve point, the proxy's Bradley–Terry accuracy on its
/// training pairs and on fresh held-out pairs (labelled without noise), and the Laplace prior precision λ in use.
/// </summary>
public sealed record OverOptimisationResult(IReadOnlyList<OverOptimisationPoint> Points, double TrainAccuracy, double HeldOutAccuracy, double PriorPrecision)
{
    /// <summary>The points of one curve (reward name and penalty weight), in increasing n.</summary>
    public IReadOnlyList<OverOptimisationPoint> Curve(string reward, double penaltyWeight = 0) =>
        Points.Where(p => p.Reward == reward && p.PenaltyWeight == penaltyWeight).OrderBy(p => p.N).ToArray();

    /// <summary>The points as CSV: reward, penalty_weight, n, kl, gold_reward, proxy_reward, gold_win_rate (invariant culture).</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("reward,penalty_weight,n,kl,gold_reward,proxy_reward,gold_win_rate\n");
        foreach (var p in Points)
            csv.AppendLine(string.Join(",", p.Reward, F(p.PenaltyWeight), p.N.ToString(CultureInfo.InvariantCulture), F(p.Kl), F(p.GoldReward), F(p.ProxyReward), F(p.GoldWinRate)));
        return csv.ToString();
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
