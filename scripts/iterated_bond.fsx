// iterated_bond.fsx: the F# twin of iterated_bond.csx (same question, same numbers, same files).
// Does iterated BOND with n = 2 reach best-of-2ᵗ after t rounds? (BOND / J-BOND, Sessa et al. 2024;
// THEORY.md §1 composition BoN_m(BoN_n(p)) = BoN_{mn}(p), §6.)
//
// On a tabular policy (one prompt, 6 outcomes, two tied rewards), so every number is exact:
//   - iterated BOND: round t trains the policy by BOND (Jeffreys β = 0.5, n = 2) towards BoN_2 of an anchor that is the
//     policy at the end of round t − 1 (round 1: the base). After each round it reports the exact KL(π_t‖p) and win rate
//     W(π_t), beside the theory's point BoN_{2ᵗ}(p) = Tilting.BestOfN composed t times, and KL(π_t‖BoN_{2ᵗ});
//   - J-BOND: the same with a continuously moving anchor (an exponential moving average of the policy's weights,
//     rate η = 1/steps by default, so the anchor lags the policy by about one round), reported after the same number of
//     steps per round; it has no target per round and is shown for comparison, not checked against BoN_{2ᵗ}.
//
// Makes, in the output folder (--out, default ./out/iterated_bond):
//   iterated_bond.csv    method, round, n_target (2ᵗ), kl, win_rate, theory_kl, theory_win_rate, kl_to_target
//   iterated_bond.html   win rate vs KL: the exact BoN frontier, the BoN_{2ᵗ} points and each round's trained policy
//
// Run:  alignlab run scripts/iterated_bond.fsx [--set quick=true] [--set rounds=4] [--set steps=300] [--set seed=1] [--set ema=η]
//       quick: 3 rounds of 150 steps instead of 4 rounds of 300.

open System
open System.Collections.Generic
open TorchSharp
open AlignLab.Theory
open AlignLab.Engine.Methods
open AlignLab.Engine.Training
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting
open AlignLab.Engine.Policies
open AlignLab.Models.Generation

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let rounds = ctx.Arg("rounds", (if quick then 3 else 4))
let steps = ctx.Arg("steps", (if quick then 150 else 300))
let seed = int64 (ctx.Arg("seed", 1))
let emaRate = ctx.Arg("ema", 1.0 / float steps)

let probabilities = [| 0.1; 0.2; 0.15; 0.25; 0.2; 0.1 |]
let rewards = [| 0.0; 1.0; 1.0; 2.0; 3.0; 4.0 |]
let distribution = RewardDistribution(probabilities, rewards)
let sampling = SamplingOptions(MaxLength = 1)
let prompts = torch.zeros([| 1L; 1L |], torch.ScalarType.Int64)
let reward = new TabularReward([| rewards |])

let tabular (p: IReadOnlyList<float>) = TabularPolicy.FromProbabilities([| p |])
let frozen p =
    let policy = tabular p
    for parameter in policy.parameters() do parameter.requires_grad_(false) |> ignore
    policy
let bond anchorDecay =
    BondConfig(sampling, N = 2, JeffreysBeta = 0.5, AnchorDecay = anchorDecay, AnchorSamples = 256, SamplesPerPrompt = 16, BatchSize = 4)
let training schedule learningRate (roundSeed: int64) =
    TrainerConfig(Steps = steps, LearningRate = learningRate, Schedule = schedule, MinLearningRateRatio = 0.02, GradientClip = 0.0,
                  LogEvery = steps, Seed = roundSeed)

let basePolicy = frozen probabilities
let rows = ResizeArray<IReadOnlyDictionary<string, obj>>()
let marks = ResizeArray<ResultPoint>()
let report (methodName: string) (round: int) (trained: IReadOnlyList<float>) =
    let target = Tilting.BestOfN(distribution, Math.Pow(2.0, float round))
    let kl, win = Measures.Kl(distribution, trained), Measures.WinRate(distribution, trained)
    let toTarget = Measures.Kl(trained, target.Probabilities)
    rows.Add(
        readOnlyDict
            [ "method", box methodName; "round", box round; "n_target", box (int (Math.Pow(2.0, float round))); "kl", box kl
              "win_rate", box win; "theory_kl", box (Measures.Kl target); "theory_win_rate", box (Measures.WinRate target)
              "kl_to_target", box toTarget ])
    marks.Add(ResultPoint(methodName, kl, 0.0, win, 0.0, $"round {round}"))
    ctx.Log $"""{methodName,-14} round {round}: KL {kl:F4} (BoN_{Math.Pow(2.0, float round)}: {Measures.Kl target:F4})   W {win:F4} (BoN: {Measures.WinRate target:F4})   KL(π‖BoN_2^t) {toTarget.ToString "0.0e+00"}"""

// Iterated BOND: a fixed anchor per round, moved to the trained policy between rounds.
do
    use policy = tabular probabilities
    for round in 1 .. rounds do
        ctx.CancellationToken.ThrowIfCancellationRequested()
        use anchor = frozen (policy.Probabilities()[0])
        Trainer(training LearningRateSchedule.Cosine 0.1 (seed + int64 round)).Run(BondMethod(policy, anchor, basePolicy, prompts, reward, bond 0.0)) |> ignore
        report "iterated-bond" round (policy.Probabilities()[0])

// J-BOND: one moving EMA anchor, reported after each block of the same number of steps.
do
    use policy = tabular probabilities
    use anchor = frozen probabilities
    let bondMethod = BondMethod(policy, anchor, basePolicy, prompts, reward, bond emaRate)
    for round in 1 .. rounds do
        ctx.CancellationToken.ThrowIfCancellationRequested()
        Trainer(training LearningRateSchedule.Constant 0.05 (seed + int64 round)).Run(bondMethod) |> ignore
        report "j-bond-ema" round (policy.Probabilities()[0])

for round in 1 .. rounds do
    let target = Tilting.BestOfN(distribution, Math.Pow(2.0, float round))
    marks.Add(ResultPoint("theory BoN_2^t", Measures.Kl target, 0.0, Measures.WinRate target, 0.0, $"n = {Math.Pow(2.0, float round)}"))
AtomicFile.WriteAllText(ctx.OutputPath "iterated_bond.csv", ResultTable.FromRows(rows).ToCsv())
let frontier = Frontiers.ForKlRange(distribution, FrontierFamily.BestOfN, 40, 0.95 * Frontiers.SupremumKl distribution)
let curve = FrontierCurve("best-of-n (exact)", [| for p in frontier -> p.Kl |], [| for p in frontier -> p.WinRate |])
FrontierChart.Create(FrontierMetric.WinRate, [| curve |], marks, "Iterated BOND (n = 2) reaches best-of-2ᵗ: win rate vs KL (exact, tabular)")
    .Save(ctx.OutputPath "iterated_bond.html") |> ignore
ctx.Log $"""wrote {ctx.OutputPath "iterated_bond.csv"} and iterated_bond.html"""
