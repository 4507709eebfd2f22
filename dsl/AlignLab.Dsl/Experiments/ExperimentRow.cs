namespace AlignLab.Dsl;

/// <summary>
/// One method's result in an <see cref="ExperimentResult"/>, averaged uniformly over prompts: on the toy task every value
/// exact by enumeration (THEORY.md §9, standard errors 0); on a real task Monte-Carlo estimates on held-out prompts with
/// their standard errors (<c>MonteCarloEvaluation</c>), the off-target attribute being the response length in tokens.
/// Frontier columns are NaN when the frontier was not asked for, the point lies outside its range, or the task is real;
/// parameters a method does not have are NaN (or 0 for n).
/// </summary>
/// <param name="Method">Row name (<see cref="MethodSpec.DisplayName"/>).</param>
/// <param name="Spec">The method and its parameters.</param>
/// <param name="Steps">Training steps (0 for the untrained base and best-of-n).</param>
/// <param name="WinRate">W(π) against the base under the task's reward (the toy's gold reward), ties half.</param>
/// <param name="Kl">KL(π‖base) in nats.</param>
/// <param name="ExpectedReward">E_π[r] under the task's reward.</param>
/// <param name="OffTarget">E_π[off-target attribute]: a symbol count on the toy task, the response length in tokens on a real one.</param>
/// <param name="BonNKl">KL(π_n‖base) of exact best-of-n at this method's n (NaN without n).</param>
/// <param name="BonNWinRate">W(π_n) of exact best-of-n at this method's n (NaN without n).</param>
/// <param name="BonWinRateAtKl">Win rate of the best-of-n frontier at this row's KL.</param>
/// <param name="OptimalWinRateAtKl">Win rate of the optimal frontier at this row's KL.</param>
/// <param name="BonKlAtWinRate">KL the best-of-n frontier needs to reach this row's win rate.</param>
/// <param name="FinalLoss">Last logged training loss (NaN when untrained).</param>
/// <param name="TrainSeconds">Wall time of training (0 when untrained).</param>
/// <param name="Objective">
/// The method's infinite-data training objective (THEORY.md §9) at the trained policy, exact by enumeration and
/// prompt-averaged; NaN for methods without a tabular objective (see <c>ExactObjectives</c>). Comparing it with
/// <see cref="ObjectiveAtBonN"/> and <see cref="OptimumObjective"/> tells an optimisation failure from an objective
/// whose optimum is not π_n.
/// </param>
/// <param name="ObjectiveAtBonN">The same objective at the exact best-of-n policy π_n (an upper bound on its minimum).</param>
/// <param name="OptimumObjective">The objective's minimum over all policies (NaN unless <see cref="Experiment.WithExactOptima"/>).</param>
/// <param name="OptimumKl">KL(π*‖base) of the objective's minimiser π* (NaN unless exact optima were asked for).</param>
/// <param name="OptimumWinRate">W(π*) of the objective's minimiser (NaN unless exact optima were asked for).</param>
/// <param name="WinRateStdErr">Standard error of <see cref="WinRate"/>: 0 when exact (toy task), else the Monte-Carlo estimate's (real task).</param>
/// <param name="KlStdErr">Standard error of <see cref="Kl"/> (0 when exact).</param>
/// <param name="ExpectedRewardStdErr">Standard error of <see cref="ExpectedReward"/> (0 when exact).</param>
/// <param name="OffTargetStdErr">Standard error of <see cref="OffTarget"/> (0 when exact).</param>
/// <param name="KlBound">
/// Best-of-n rows of a real task: the exact bound KL(π_n‖π_ref) ≤ log n − (n−1)/n (THEORY.md §1), shown beside the
/// estimate; NaN otherwise.
/// </param>
/// <param name="EvalPrompts">Held-out prompts a Monte-Carlo row was evaluated on (0 when exact).</param>
/// <param name="RuleAlpha">BoNBoN under the authors' rule (<see cref="MethodSpec.AlphaByRule"/>): the α the rule chose from the first batch; NaN otherwise.</param>
public sealed record ExperimentRow(
    string Method, MethodSpec Spec, int Steps, double WinRate, double Kl, double ExpectedReward, double OffTarget,
    double BonNKl, double BonNWinRate, double BonWinRateAtKl, double OptimalWinRateAtKl, double BonKlAtWinRate,
    double FinalLoss, double TrainSeconds,
    double Objective = double.NaN, double ObjectiveAtBonN = double.NaN,
    double OptimumObjective = double.NaN, double OptimumKl = double.NaN, double OptimumWinRate = double.NaN,
    double WinRateStdErr = 0, double KlStdErr = 0, double ExpectedRewardStdErr = 0, double OffTargetStdErr = 0,
    double KlBound = double.NaN, int EvalPrompts = 0, double RuleAlpha = double.NaN)
{
    /// <summary>KL spent beyond what best-of-n needs for the same win rate, KL − <see cref="BonKlAtWinRate"/> (≥ 0 up to training noise when BoN is near-optimal).</summary>
    public double ExcessKl => Kl - BonKlAtWinRate;

    /// <summary>Distance to the exact BoN_n point in the (KL, win rate) plane, √((KL − KL_n)² + (W − W_n)²) (NaN without n).</summary>
    public double DistanceToBonN => Math.Sqrt(Math.Pow(Kl - BonNKl, 2) + Math.Pow(WinRate - BonNWinRate, 2));
}
