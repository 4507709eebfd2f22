// vbon_vs_rlhf.fsx: the F# twin of vbon_vs_rlhf.csx (same question, same numbers, same files).
// Reproduces variational BoN's Pareto comparison (Amini, Vieira, Cotterell 2024; THEORY.md §3, §5): trained by policy
// gradient, does vBoN (reward log F(r), KL coefficient 1/(n−1)) reach a better expected-reward vs KL trade-off than
// RLHF (reward r, KL coefficient β; KL-regularised RLOO), and how close does each come to the analytic curves of its
// own target family (best-of-n and the RLHF tilt p·exp(r/β)) for the same base?
//
// On the enumerable toy language task (prompts × every response), with the pretrained TinyGpt base p (cached), it
// trains one copy of the base per method setting — vBoN at a few n, RLHF at a few β — and evaluates every trained
// network EXACTLY by enumeration: KL(π‖p), E_π[gold reward], win rate W(π) against the base. Beside them, the analytic
// frontiers of the same base: best-of-n for n from 1 to 64 and the RLHF tilt for β over a range, each the average over
// prompts of the per-prompt exact values at a common parameter (the policies these methods target).
//
// Makes, in the output folder (--out, default ./out/vbon_vs_rlhf):
//   vbon_vs_rlhf.csv        method, parameter (n or β), kl, expected_reward, win_rate, target_kl, target_expected_reward
//                           (target_*: the exact BoN_n / RLHF-tilt point each trained run aims at)
//   frontier_analytic.csv   family, parameter, kl, expected_reward, win_rate
//   vbon_vs_rlhf.html       expected gold reward vs KL: analytic curves as lines, trained networks as points
//
// Run:  alignlab run scripts/vbon_vs_rlhf.fsx [--set quick=true] [--set steps=300] [--set n=2,4,8] [--set beta=2,1,0.5]
//         [--set seed=0]
//       quick: the CI-sized task (8 prompts × 256 responses, a 16-wide base) and 40 training steps per run.

open System
open System.Globalization
open AlignLab.Theory
open AlignLab.Engine.Estimation
open AlignLab.Engine.Methods
open AlignLab.Engine.Tasks
open AlignLab.Engine.Training
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting
open AlignLab.Engine.Policies
open AlignLab.Models.Generation

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let steps = ctx.Arg("steps", (if quick then 40 else 300))
let seed = int64 (ctx.Arg("seed", 0))
let parseList (text: string) =
    text.Split(',', StringSplitOptions.RemoveEmptyEntries) |> Array.map (fun v -> Double.Parse(v, CultureInfo.InvariantCulture))
let ns = parseList (ctx.Arg("n", (if quick then "2,8" else "2,4,8"))) |> Array.map int
let betas = parseList (ctx.Arg("beta", (if quick then "1,0.5" else "2,1,0.5")))
let inv (x: float) = x.ToString(CultureInfo.InvariantCulture)

let taskConfig = if quick then ToyTaskConfig(VocabSize = 4, PromptLength = 2, ResponseLength = 4, PromptCount = 8) else ToyTaskConfig()
let baseConfig = if quick then ToyBaseConfig(DModel = 16, Steps = 400) else ToyBaseConfig()
let task = new ToyTask(taskConfig)
ctx.Log $"task: {taskConfig.PromptCount} prompts × {taskConfig.ResponseCount} responses; loading or pretraining the base (cached) …"
let reference = task.LoadOrPretrainBase(baseConfig)
for parameter in reference.parameters() do parameter.requires_grad_(false) |> ignore
let sampling = SamplingOptions(MaxLength = taskConfig.ResponseLength)
let prompts = Enumeration.BasePromptSet(task, reference)

/// The exact point of one frontier family at a common parameter, averaged over prompts.
type Point = { Kl: float; Reward: float; Win: float }
let average family (parameter: float) =
    let points = [ for d in prompts.Prompts -> Frontiers.Compute(d, family, [| parameter |])[0] ]
    { Kl = points |> List.averageBy (fun p -> p.Kl)
      Reward = points |> List.averageBy (fun p -> p.ExpectedReward)
      Win = points |> List.averageBy (fun p -> p.WinRate) }

// Analytic frontiers of the same base, averaged over prompts at a common parameter.
let bonCurve = [ for j in 0 .. 24 -> let n = Math.Pow(64.0, float j / 24.0) in n, average FrontierFamily.BestOfN n ]
let rlhfCurve = [ for j in 0 .. 24 -> let b = 4.0 * Math.Pow(0.02, float j / 24.0) in b, average FrontierFamily.Rlhf b ]
let analytic =
    [| for family, curve in [ "BestOfN", bonCurve; "Rlhf", rlhfCurve ] do
         for parameter, v in curve ->
             readOnlyDict [ "family", box family; "parameter", box parameter; "kl", box v.Kl; "expected_reward", box v.Reward; "win_rate", box v.Win ] |]
AtomicFile.WriteAllText(ctx.OutputPath "frontier_analytic.csv", ResultTable.FromRows(analytic).ToCsv())

// Trained networks, one fresh copy of the base per setting, evaluated exactly.
let trainer =
    Trainer(TrainerConfig(Steps = steps, LearningRate = 3e-3, WarmupSteps = min 10 (steps / 4), LogEvery = max 1 (steps / 4), Seed = seed))
let train (methodName: string) (parameter: float) (build: TinyGpt -> IAlignmentMethod) target =
    ctx.CancellationToken.ThrowIfCancellationRequested()
    let policy = task.LoadOrPretrainBase(baseConfig)
    let started = DateTime.UtcNow
    trainer.Run(build policy) |> ignore
    let m = ExactEvaluation.Evaluate(task, policy, reference)
    let t = average target parameter
    let row =
        readOnlyDict
            [ "method", box methodName; "parameter", box parameter; "kl", box m.Kl; "expected_reward", box m.ExpectedReward
              "win_rate", box m.WinRate; "target_kl", box t.Kl; "target_expected_reward", box t.Reward ]
    let label = if methodName = "vbon" then $"n = {inv parameter}" else $"β = {inv parameter}"
    let series = if methodName = "vbon" then "vBoN (trained, exact)" else "RLHF (trained, exact)"
    ctx.Log $"{methodName,-5} {label,-9} KL {m.Kl:F4} (target {t.Kl:F4})   E[r] {m.ExpectedReward:F4} (target {t.Reward:F4})   W {m.WinRate:F4}   [{(DateTime.UtcNow - started).TotalSeconds:F1} s]"
    row, ResultPoint(series, m.Kl, 0.0, m.ExpectedReward, 0.0, label)
let trained =
    [ for n in ns ->
        train "vbon" (float n) (fun p ->
            VbonMethod(p, reference, task.Prompts, task.GoldReward,
                       VbonConfig(sampling, N = n, BaseSamples = (if quick then 64 else 256), SamplesPerPrompt = 4, BatchSize = 8, CdfSeed = seed)))
            FrontierFamily.BestOfN
      for beta in betas ->
        train "rlhf" beta (fun p ->
            RlhfMethod(p, reference, task.Prompts, task.GoldReward, RlhfConfig(sampling, Beta = beta, SamplesPerPrompt = 4, BatchSize = 8)))
            FrontierFamily.Rlhf ]

AtomicFile.WriteAllText(ctx.OutputPath "vbon_vs_rlhf.csv", ResultTable.FromRows([| for row, _ in trained -> row |]).ToCsv())
let analyticCurve name curve =
    FrontierCurve(name, [| for _, v in curve -> v.Kl |], [| for _, v in curve -> v.Reward |])
FrontierChart.Create(FrontierMetric.ExpectedReward,
                     [| analyticCurve "best-of-n (analytic)" bonCurve; analyticCurve "RLHF tilt (analytic)" rlhfCurve |],
                     [| for _, mark in trained -> mark |], "vBoN vs RLHF on the toy task: expected gold reward vs exact KL")
    .Save(ctx.OutputPath "vbon_vs_rlhf.html") |> ignore
ctx.Log $"""wrote {ctx.OutputPath "vbon_vs_rlhf.csv"}, frontier_analytic.csv, vbon_vs_rlhf.html"""
