// quickstart.fsx: the F# twin of quickstart.csx (same question, same numbers, same files).
// How close does best-of-n sampling come to the best possible trade-off between win rate and drift (KL) from the base
// policy, and where does the RLHF / DPO tilt sit? (BoNBoN §3; THEORY.md §2–§3)
//
// On a small discrete base policy (8 outcomes, two of them tied in reward) it computes, exactly, with the theory module,
// the best-of-n, win-rate-optimal and RLHF frontiers, and prints, for n = 2, 4, 8, 16, 32, the win rate the optimal
// tilt reaches at best-of-n's own KL (with ties, W(π_n) stays below the continuous-case n/(n+1)).
//
// Makes, in the output folder (--out, default ./out/quickstart):
//   frontier.csv   every frontier point: family, parameter (n, c or β), kl, win_rate, expected_reward
//   frontier.html  win rate against KL for the three families, best-of-n's integer n marked (plotly.js embedded: opens offline)
//
// Run:  alignlab run scripts/quickstart.fsx [--set points=60] [--set reach=0.9] [--out DIR]
//       (or with plain `dotnet fsi`, see README.md: then there are no --set values and the output goes to ./out/quickstart)

open System.Collections.Generic
open AlignLab.Theory
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let points = ctx.Arg("points", 60)
let reach = ctx.Arg("reach", 0.9)

// Base policy p and reward r over 8 outcomes; outcomes 1 and 2 tie, so the exact BoN formula with ties is exercised.
let distribution =
    RewardDistribution(
        [| 0.30; 0.20; 0.15; 0.10; 0.10; 0.08; 0.05; 0.02 |],
        [| 0.0; 1.0; 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |])
let maxKl = reach * Frontiers.SupremumKl distribution
ctx.Log(sprintf "base policy: %d outcomes; frontiers up to KL = %.3f nats (%d points each)" distribution.Count maxKl points)

let frontiers =
    [ FrontierFamily.BestOfN, "best-of-n"
      FrontierFamily.Optimal, "optimal (win-score tilt)"
      FrontierFamily.Rlhf, "RLHF / DPO (reward tilt)" ]
    |> List.map (fun (family, name) -> name, Frontiers.ForKlRange(distribution, family, points, maxKl))

let ns = [ 2; 4; 8; 16; 32 ]
let bonAtIntegerN = Frontiers.Compute(distribution, FrontierFamily.BestOfN, [| for n in ns -> float n |])

ctx.Log ""
ctx.Log "   n   KL(π_n‖p)   W(BoN_n)   n/(n+1)   W(optimal, same KL)   gap"
for n in ns do
    let c = Frontiers.OptimalAtBonKl(distribution, float n)
    let bound = float n / float (n + 1)
    ctx.Log(System.String.Format(System.Globalization.CultureInfo.InvariantCulture,
        "{0,4}   {1,9:F6}   {2,8:F6}   {3,7:F5}   {4,19:F6}   {5:0.0e+00}", n, c.Kl, c.BonWinRate, bound, c.OptimalWinRate, c.Gap))

let rows =
    [| for point in Seq.append (frontiers |> Seq.collect snd) bonAtIntegerN ->
         readOnlyDict [ "family", box (string point.Family)
                        "parameter", box point.Parameter
                        "kl", box point.Kl
                        "win_rate", box point.WinRate
                        "expected_reward", box point.ExpectedReward ] |]
let csv = ctx.OutputPath "frontier.csv"
AtomicFile.WriteAllText(csv, ResultTable.FromRows(rows).ToCsv())

let curves =
    [| for name, frontier in frontiers ->
         FrontierCurve(name, [| for p in frontier -> p.Kl |], [| for p in frontier -> p.WinRate |]) |]
let marks =
    [| for p in bonAtIntegerN -> ResultPoint("best-of-n, integer n", p.Kl, 0.0, p.WinRate, 0.0, $"n = {p.Parameter}") |]
let html =
    FrontierChart.Create(FrontierMetric.WinRate, curves, marks, "Best-of-n is essentially optimal: win rate vs KL (exact, 8 outcomes)")
        .Save(ctx.OutputPath "frontier.html")

ctx.Log ""
ctx.Log $"wrote {csv}"
ctx.Log $"wrote {html}"
