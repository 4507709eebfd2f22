// bonbon_vs_baselines.fsx: the F# twin of bonbon_vs_baselines.csx (same question, same numbers, same files).
// Does BoNBoN land near the best-of-n point BoN_n, and closer to the best-of-n frontier than DPO / IPO at equal win
// rate? (BoNBoN, Gui et al. 2024, §5 and Fig. 1 on a toy task; THEORY.md §1–§6; issue 5 item 4.)
//
// On the enumerable toy language task it loads (or pretrains and caches) the base TinyGpt p and trains, from p, on the
// gold reward and with the same seed (so every pair method sees the same best/worst-of-n pairs):
//   BoNBoN at several α, SFT-BoN, IPO-BoN (β*_n), DPO and IPO at two β, vBoN, J-BOND and RLHF;
// then computes EXACTLY (every response of every prompt enumerated) each trained network's KL(π‖p), win rate W(π),
// expected reward and off-target attribute, beside the exact best-of-n policy π_n and the analytic best-of-n,
// win-rate-optimal and RLHF frontiers of the same base, and prints each method's distance to the BoN_n point and its
// excess KL over the best-of-n frontier at its own win rate; and, for the methods with an exact tabular objective, that
// objective at the trained network, at π_n and (unless optima=false) at its exact optimum over all policies.
// longSteps > 0 adds a BoNBoN α=0.1 row trained that many steps.
//
// Makes, in the output folder (--out, default ./out/bonbon_vs_baselines):
//   table.csv, table.json  one row per method: kl, win_rate, expected_reward, off_target, BoN_n point, frontier comparisons
//   frontier.html          win rate vs KL: analytic frontiers as lines, every method as a point (plotly.js embedded)
// and a run folder in the run store ($ALIGNLAB_RUNS or ./runs).
//
// Run:  alignlab run scripts/bonbon_vs_baselines.fsx [--set quick=true] [--set seed=0] [--set n=8] [--set steps=N] [--set lr=X]
//                                                   [--set optima=false] [--set longSteps=1500]

open AlignLab.Dsl
open AlignLab.Dsl.Scripting

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let seed = ctx.Arg("seed", 0L)
let n = ctx.Arg("n", 8)
let optima = ctx.Arg("optima", not quick)
let longSteps = ctx.Arg("longSteps", 0)
let scale =
    let s = if quick then ExperimentScale.Quick else ExperimentScale.Default
    let s = if ctx.HasArg "steps" then s.WithSteps(ctx.Arg("steps", s.Steps)) else s
    if ctx.HasArg "lr" then s.WithLearningRate(ctx.Arg("lr", s.LearningRate)) else s

let result =
    Experiment.Named("bonbon-vs-baselines")
        .On(Tasks.ToyLanguage(seed = 0))
        .Compare(Methods.Base(), Methods.BestOfN(n))
        .Compare(Methods.BonBon(n = n, variant = AlignLab.Theory.Objectives.BonBonVariant.SquaredSum).Sweep(alpha = [ 0.01; 0.1; 0.5 ]))
        .Compare(Methods.SftBon(n), Methods.IpoBon(n))
        .Compare(Methods.Dpo(n = n).Sweep(beta = [ 0.05; 0.5 ]))
        .Compare(Methods.Ipo(n = n).Sweep(beta = [ 0.05; 0.5 ]))
        .Compare(Methods.Vbon(n), Methods.JBond(n = 2), Methods.Rlhf(beta = 0.5))
        .Compare(if longSteps > 0 then [ Methods.BonBon(n = n, alpha = 0.1, variant = AlignLab.Theory.Objectives.BonBonVariant.SquaredSum).WithSteps(longSteps).Named($"BoNBoN(n={n}, α=0.1, {longSteps} steps)") ] else [])
        .Evaluate(Metrics.WinRate, Metrics.Kl, Metrics.Reward, Metrics.OffTarget)
        .WithFrontiers(Frontier.BestOfN, Frontier.Optimal, Frontier.Rlhf)
        .WithScale(scale)
        .WithSeed(seed)
        .WithExactOptima(optima)
        .Run()

result.Print(fun line -> ctx.Log line)
result.Save(ctx.OutputDirectory) |> ignore

let bonN = result.Row($"best-of-n(n={n})")
let trained = result.Rows |> Seq.filter (fun r -> r.Spec.IsTrained) |> List.ofSeq
ctx.Log ""
ctx.Log(sprintf "BoN_%d point (exact): KL = %.4f, W = %.4f" n bonN.Kl bonN.WinRate)
ctx.Log "method                          KL       W     dist to BoN_n   excess KL at same W"
for row in trained do
    ctx.Log(sprintf "%-30s %7.4f %7.4f   %10.4f   %12.4f" row.Method row.Kl row.WinRate row.DistanceToBonN row.ExcessKl)

ctx.Log ""
ctx.Log "exact training objective (THEORY.md §9): at the trained network, at π_n, and its optimum over all policies"
ctx.Log "method                          trained      at π_n     optimum   optimum KL  optimum W"
for row in result.Rows |> Seq.filter (fun r -> System.Double.IsFinite r.Objective) do
    ctx.Log(sprintf "%-30s %9.4f %11.4f %11.4f %12.4f %10.4f" row.Method row.Objective row.ObjectiveAtBonN row.OptimumObjective row.OptimumKl row.OptimumWinRate)

let best (value: ExperimentRow -> float) rows =
    rows |> List.map value |> List.filter System.Double.IsFinite |> function [] -> nan | xs -> List.min xs
let bonbon = trained |> List.filter (fun r -> r.Spec.Kind = MethodKind.BonBon)
let pairBaselines = trained |> List.filter (fun r -> r.Spec.Kind = MethodKind.Dpo || r.Spec.Kind = MethodKind.Ipo || r.Spec.Kind = MethodKind.IpoBon)
ctx.Log ""
ctx.Log(sprintf "closest BoNBoN to the BoN_%d point: distance %.4f; closest DPO/IPO: %.4f"
            n (best (fun r -> r.DistanceToBonN) bonbon) (best (fun r -> r.DistanceToBonN) pairBaselines))
ctx.Log(sprintf "smallest excess KL at equal win rate: BoNBoN %.4f; DPO/IPO %.4f"
            (best (fun r -> r.ExcessKl) bonbon) (best (fun r -> r.ExcessKl) pairBaselines))
ctx.Log $"wrote {ctx.OutputDirectory} (table.csv, table.json, frontier.html) and run {result.RunId}"
