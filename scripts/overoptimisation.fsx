// overoptimisation.fsx: the F# twin of overoptimisation.csx (same question, same numbers, same files).
// Does best-of-n on a learned PROXY reward over-optimise it (Goodhart's law), and does penalising the proxy's Bayesian
// uncertainty (a Laplace-approximated reward model, r̃ = r* − k·σ) mitigate it?
// (Bayesian reward models, Yang et al. 2024; THEORY.md §1, §2, §7; issue 5 item 5.)
//
// On the enumerable toy language task it pretrains (or loads) the base policy p, trains a proxy reward model by
// Bradley–Terry on a few noisy preference pairs labelled by the task's gold reward, fits its Laplace approximation, and
// then, for n = 1, 2, 4, …, 256 and EXACTLY (every response enumerated), computes best-of-n on
//   - the gold reward itself (the reference: what BoN could achieve),
//   - the proxy (r*),
//   - the penalised proxies r* − k·σ for each k,
// as π_n = BoN tilt of the base probabilities by the ranking reward (ties exact), and reports per n, averaged over
// prompts: KL(π_n‖p), E_{π_n}[gold reward], E_{π_n}[proxy reward] and the gold win rate W(π_n).
//
// Makes, in the output folder (--out, default ./out/overoptimisation):
//   overoptimisation.csv      reward, penalty_weight, n, kl, gold_reward, proxy_reward, gold_win_rate
//   overoptimisation.html     gold (solid) and proxy (dashed) reward against n, one colour per ranking reward
//   overoptimisation-kl.html  the same against KL(π_n‖p)
//
// Run:  alignlab run scripts/overoptimisation.fsx [--set quick=true] [--set seed=0] [--set pairs=16] [--set noise=0.2]
//         [--set steps=400] [--set subset=LastLayer|Lora] [--set structure=Kfac|Diagonal] [--set k=1,3]
//       quick: the CI-sized task (8 prompts × 256 responses) instead of the default (32 prompts × 7,776 responses).

open System
open System.Globalization
open AlignLab.Engine.Bayesian
open AlignLab.Engine.Experiments
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let inv (x: float) = x.ToString(CultureInfo.InvariantCulture)

let defaults = if quick then OverOptimisationConfig.Quick else OverOptimisationConfig()
let laplace =
    let d = defaults.Laplace
    LaplaceConfig(Enum.Parse<LaplaceSubset>(ctx.Arg("subset", string d.Subset), true),
                  Enum.Parse<LaplaceStructure>(ctx.Arg("structure", string d.Structure), true),
                  d.PriorPrecision, d.MinPriorPrecision, d.MaxPriorPrecision, d.GridPoints, d.BatchSize)
let penaltyWeights =
    ctx.Arg("k", defaults.PenaltyWeights |> Seq.map inv |> String.concat ",").Split(',', StringSplitOptions.RemoveEmptyEntries)
    |> Array.map (fun k -> Double.Parse(k, CultureInfo.InvariantCulture))
// F# has no `with` for C# records: every property is copied from the defaults, the overridden ones from the arguments.
let config =
    OverOptimisationConfig(
        Task = defaults.Task, Base = defaults.Base, Labeling = defaults.Labeling,
        RewardModelLearningRate = defaults.RewardModelLearningRate, RewardModelBatchSize = defaults.RewardModelBatchSize,
        Lora = defaults.Lora, Ns = defaults.Ns, Penalty = defaults.Penalty, Device = defaults.Device,
        CacheDirectory = defaults.CacheDirectory,
        Seed = int64 (ctx.Arg("seed", int defaults.Seed)),
        PairsPerPrompt = ctx.Arg("pairs", defaults.PairsPerPrompt),
        LabelNoise = ctx.Arg("noise", defaults.LabelNoise),
        RewardModelSteps = ctx.Arg("steps", defaults.RewardModelSteps),
        Laplace = laplace,
        PenaltyWeights = penaltyWeights)
ctx.Log $"task: {config.Task.PromptCount} prompts × {config.Task.ResponseCount} responses; proxy from {config.PairsPerPrompt} pairs per prompt, label noise {config.LabelNoise}"

let result = OverOptimisation.Run(config, fun line -> ctx.Log line)

ctx.Log ""
ctx.Log "ranking reward          n    KL(π‖p)   gold reward   proxy reward   gold win rate"
for p in result.Points do
    let name = if p.Reward = "proxy-penalised" then $"proxy − {p.PenaltyWeight:g3}·σ" else p.Reward
    ctx.Log(sprintf "%-18s %6d %10.4f %13.4f %14.4f %15.4f" name p.N p.Kl p.GoldReward p.ProxyReward p.GoldWinRate)

let csv = ctx.OutputPath "overoptimisation.csv"
AtomicFile.WriteAllText(csv, result.ToCsv())

let label (p: OverOptimisationPoint) =
    match p.Reward with
    | "gold" -> "BoN on gold reward"
    | "proxy" -> "BoN on proxy"
    | _ -> $"BoN on proxy − {p.PenaltyWeight:g3}·σ"
let groups =
    result.Points
    |> Seq.groupBy (fun p -> p.Reward, p.PenaltyWeight)
    |> Seq.map (fun (_, g) -> g |> Seq.sortBy (fun p -> p.N) |> Array.ofSeq)
    |> List.ofSeq
let curves (x: OverOptimisationPoint -> float) =
    [| for g in groups ->
         OveroptimisationCurve(label g[0], g |> Array.map x, g |> Array.map (fun p -> p.GoldReward), g |> Array.map (fun p -> p.ProxyReward)) |]
let title = $"Reward over-optimisation: best-of-n on a Laplace proxy ({config.Laplace.Subset}, {config.Laplace.Structure}; exact)"
let htmlN = OveroptimisationChart.Create(OveroptimisationAxis.N, curves (fun p -> float p.N), title).Save(ctx.OutputPath "overoptimisation.html")
let htmlKl = OveroptimisationChart.Create(OveroptimisationAxis.Kl, curves (fun p -> p.Kl), title).Save(ctx.OutputPath "overoptimisation-kl.html")

ctx.Log ""
ctx.Log(String.Format(CultureInfo.InvariantCulture, "proxy accuracy: train {0:F3}, held-out {1:F3}; prior precision λ = {2:G4}",
                      result.TrainAccuracy, result.HeldOutAccuracy, result.PriorPrecision))
ctx.Log $"wrote {csv}"
ctx.Log $"wrote {htmlN}"
ctx.Log $"wrote {htmlKl}"
