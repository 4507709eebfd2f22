// rbon_vs_bon.fsx: the F# twin of rbon_vs_bon.csx (same question, same numbers, same files).
// Does regularised best-of-n resist reward hacking of a PROXY reward better than plain best-of-n?
// (Regularized BoN, Jinnai et al. 2024; THEORY.md §1, §2, §8.)
//
// Responses are all 3⁴ = 81 token sequences of length 4 over 3 tokens; the base p draws tokens i.i.d. with
// probabilities (0.5, 0.3, 0.2); the gold reward counts token 1; the proxy reward is the gold reward plus fixed Gaussian
// noise per response (seeded), the stand-in for a learned reward model, with σ(y) = noise·sqrt(1/(81·p(y))) because a
// model fitted on base samples is least sure about rare responses. For n = 1, 2, 4, … it picks
// among n base samples by
//   - BoN on the gold reward (the reference) and BoN on the proxy — exact: π_n = Tilting.BestOfN of the ranking reward;
//   - RBoN_KL on the proxy, argmax r(y) + β·log p(y) — exact too: it is BoN_n of the reward r + β·log p;
//   - RBoN_WD on the proxy, argmax r(y_i) − β·(1/n)·Σ_j d(y_i, y_j) with the Hamming distance — no closed form, so
//     Monte Carlo with the engine's selection (RegularizedBestOfN, CandidateSelection) over T draws of n samples: gold
//     and proxy rewards with standard errors, KL as the plug-in KL of the selected responses' histogram (biased upwards
//     by about (81 − 1)/(2T) nats).
// and reports the expected gold reward, proxy reward and KL(π‖p). BoN on the proxy over-optimises (its gold reward
// falls ever further behind the gold-BoN reference as n grows); the regularisers pull the choice back towards likely /
// central responses (with the defaults, at n = 256: gold 2.77 for BoN, 2.99 for RBoN_KL and RBoN_WD, 3.88 on gold).
//
// Makes, in the output folder (--out, default ./out/rbon_vs_bon):
//   rbon_vs_bon.csv        method, beta, n, kl, gold_reward, gold_reward_std_err, proxy_reward, exact
//   rbon_vs_bon.html       gold (solid) and proxy (dashed) reward against n, one colour per method
//   rbon_vs_bon-kl.html    the same against KL(π‖p)
//
// Run:  alignlab run scripts/rbon_vs_bon.fsx [--set quick=true] [--set beta_kl=1] [--set beta_wd=4] [--set noise=1.5]
//         [--set max_n=256] [--set trials=20000] [--set seed=0]
//       quick: n up to 64 and 2,000 Monte-Carlo draws instead of n up to 256 and 20,000.

open System
open System.Globalization
open TorchSharp
open AlignLab.Theory
open AlignLab.Engine.Methods
open AlignLab.Engine.Selection
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting
open AlignLab.Engine.Policies
open AlignLab.Models.Generation

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let maxN = ctx.Arg("max_n", (if quick then 64 else 256))
let trials = ctx.Arg("trials", (if quick then 2000 else 20000))
let betaKl = ctx.Arg("beta_kl", 1.0)
let betaWd = ctx.Arg("beta_wd", 4.0)
let noise = ctx.Arg("noise", 1.5)
let seed = ctx.Arg("seed", 0)

let vocab, length = 3, 4
let tokenProbabilities = [| 0.5; 0.3; 0.2 |]
let outcomes = pown vocab length
// Response y's token t is digit t of y in base 3 (least significant first).
let token y t = y / pown vocab t % vocab
let p = Array.init outcomes (fun y -> Seq.init length (token y) |> Seq.fold (fun acc v -> acc * tokenProbabilities[v]) 1.0)
let gold = Array.init outcomes (fun y -> Seq.init length (token y) |> Seq.sumBy (fun v -> if v = 1 then 1.0 else 0.0))
let random = Random(seed)
// A reward model fitted on base samples sees a response about T·p(y) times, so its error grows like 1/sqrt(p(y)):
// σ(y) = noise·sqrt(1/(K·p(y))), equal to noise for a response of average probability 1/K.
let proxy =
    gold |> Array.mapi (fun y g -> g + noise * sqrt (1.0 / (float outcomes * p[y])) * MathNet.Numerics.Distributions.Normal.Sample(random, 0.0, 1.0))
let goldDistribution = RewardDistribution(p, gold)
let ns = Seq.initInfinite (fun k -> 1 <<< k) |> Seq.takeWhile (fun n -> n <= maxN) |> Array.ofSeq
let inv (x: float) = x.ToString(CultureInfo.InvariantCulture)
ctx.Log $"""{outcomes} responses; proxy = gold + N(0, {inv noise}²) noise; n = {ns |> Seq.map string |> String.concat ", "}; RBoN_KL β = {inv betaKl}, RBoN_WD β = {inv betaWd}, {trials} draws"""

type Row = { Method: string; Beta: float; N: int; Kl: float; Gold: float; GoldErr: float; Proxy: float; Exact: bool }
let mean (pi: float seq) (values: float[]) = pi |> Seq.mapi (fun i v -> v * values[i]) |> Seq.sum

// Exact: BoN on gold, BoN on proxy, RBoN_KL on proxy (BoN of the reward proxy + β·log p).
let exactRows =
    [ for methodName, beta, ranking in [ "bon-gold", 0.0, gold
                                         "bon-proxy", 0.0, proxy
                                         "rbon-kl-proxy", betaKl, proxy |> Array.mapi (fun y r -> r + betaKl * log p[y]) ] do
        for n in ns ->
            let pi = Tilting.BestOfN(RewardDistribution(p, ranking), float n).Probabilities
            { Method = methodName; Beta = beta; N = n; Kl = Measures.Kl(goldDistribution, pi); Gold = mean pi gold; GoldErr = 0.0
              Proxy = mean pi proxy; Exact = true } ]

// Monte Carlo: RBoN_WD on proxy with the engine's sampler and selection.
let basePolicy = TabularPolicy.FromProbabilities([| p |])
let proxyReward = new TabularReward([| proxy |])
let tokenTable = torch.tensor(Array.init (outcomes * length) (fun i -> int64 (token (i / length) (i % length)))).reshape(int64 outcomes, int64 length)
let distance = HammingDistance()
let generator = new torch.Generator(uint64 seed + 1UL)
let wassersteinRow n =
    ctx.CancellationToken.ThrowIfCancellationRequested()
    let counts = Array.zeroCreate<int64> outcomes
    // Chunk the draws so the pairwise distances [chunk, n, n, L] stay small.
    let chunk = max 1 (min trials (2_000_000 / (n * n * length)))
    for start in 0 .. chunk .. trials - 1 do
        let b = min chunk (trials - start)
        use _ = torch.NewDisposeScope()
        let prompts = torch.zeros([| int64 b; 1L |], torch.ScalarType.Int64)
        let batch = basePolicy.Sample(prompts, n, SamplingOptions(MaxLength = 1), generator)
        let scores =
            RegularizedBestOfN.WassersteinScores(proxyReward.Score(batch.Prompts, batch.Responses).reshape(int64 b, int64 n),
                tokenTable.index_select(0L, batch.Responses.reshape(-1L)).reshape(int64 b, int64 n, int64 length), distance, betaWd)
        let picked = CandidateSelection.Gather(batch.Responses, CandidateSelection.BestIndices(scores, generator), n)
        for y in picked.reshape(-1L).data<int64>() do counts[int y] <- counts[int y] + 1L
    let empirical = counts |> Array.map (fun c -> float c / float trials)
    let goldMean = mean empirical gold
    let goldVar = mean empirical (gold |> Array.map (fun g -> (g - goldMean) * (g - goldMean)))
    { Method = "rbon-wd-proxy"; Beta = betaWd; N = n; Kl = Measures.Kl(goldDistribution, empirical); Gold = goldMean
      GoldErr = sqrt (goldVar / float trials); Proxy = mean empirical proxy; Exact = false }
let rows = exactRows @ [ for n in ns -> wassersteinRow n ]

ctx.Log ""
ctx.Log "method            beta      n    KL(π‖p)   gold reward   proxy reward"
for r in rows do
    ctx.Log(String.Format(CultureInfo.InvariantCulture, "{0,-16} {1,5} {2,6} {3,10:F4} {4,13:F4} {5,14:F4}", r.Method, r.Beta, r.N, r.Kl, r.Gold, r.Proxy))

let table =
    [| for r in rows ->
         readOnlyDict
             [ "method", box r.Method; "beta", box r.Beta; "n", box r.N; "kl", box r.Kl; "gold_reward", box r.Gold
               "gold_reward_std_err", box r.GoldErr; "proxy_reward", box r.Proxy; "exact", box r.Exact ] |]
AtomicFile.WriteAllText(ctx.OutputPath "rbon_vs_bon.csv", ResultTable.FromRows(table).ToCsv())
let labels =
    dict [ "bon-gold", "BoN on gold (reference)"; "bon-proxy", "BoN on proxy"
           "rbon-kl-proxy", $"RBoN_KL on proxy (β = {inv betaKl})"; "rbon-wd-proxy", $"RBoN_WD on proxy (β = {inv betaWd}, Monte Carlo)" ]
let chartCurves axis =
    [| for methodName, curve in rows |> List.groupBy (fun r -> r.Method) ->
         let x r = if axis = OveroptimisationAxis.N then float r.N else r.Kl
         OveroptimisationCurve(labels[methodName], [| for r in curve -> x r |], [| for r in curve -> r.Gold |], [| for r in curve -> r.Proxy |],
                               [| for r in curve -> r.GoldErr |]) |]
OveroptimisationChart.Create(OveroptimisationAxis.N, chartCurves OveroptimisationAxis.N, "RBoN vs BoN under a noisy proxy reward: reward vs n")
    .Save(ctx.OutputPath "rbon_vs_bon.html") |> ignore
OveroptimisationChart.Create(OveroptimisationAxis.Kl, chartCurves OveroptimisationAxis.Kl, "RBoN vs BoN under a noisy proxy reward: reward vs KL")
    .Save(ctx.OutputPath "rbon_vs_bon-kl.html") |> ignore
ctx.Log $"""wrote {ctx.OutputPath "rbon_vs_bon.csv"}, rbon_vs_bon.html, rbon_vs_bon-kl.html"""
