// essentially_optimal.fsx: the F# twin of essentially_optimal.csx (same question, same numbers, same files).
// Reproduces BoNBoN's "best-of-n is essentially optimal" (Gui, Gârbacea, Veitch 2024, §3; THEORY.md §2–§3): at the KL
// best-of-n spends, how much win rate does the optimal win-score tilt add, and where is the RLHF / DPO reward tilt?
// Continuous case (closed forms; RLHF for a standard-normal reward on a fine grid) and a discrete case with ties, exact.
//
// Makes, in the output folder (--out, default ./out/essentially_optimal):
//   table.csv                  THEORY.md §3's table: n, kl, win_rate_bon, win_rate_optimal, c, gap (continuous case)
//   frontier_continuous.csv    case, family, parameter, kl, win_rate
//   frontier_ties.csv          the same on the discrete distribution with ties
//   frontier_continuous.html, frontier_ties.html   win rate vs KL charts
//
// Run:  alignlab run scripts/essentially_optimal.fsx [--set quick=true] [--set points=80] [--set grid=4000]

open System
open AlignLab.Theory
open AlignLab.Dsl.Plots
open AlignLab.Dsl.Results
open AlignLab.Dsl.Scripting

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let points = ctx.Arg("points", (if quick then 12 else 80))
let grid = ctx.Arg("grid", (if quick then 400 else 4000))
let tableN = [ 2; 4; 8; 16; 64 ]
let maxN = 64.0
let inv (x: float) = x.ToString(Globalization.CultureInfo.InvariantCulture)

let row (cells: (string * obj) list) = readOnlyDict cells

// THEORY.md §3 table (continuous case).
let table = [ for n in tableN -> ContinuousCase.OptimalAtBonKl(float n) ]
ctx.Log "   n   KL(π_n‖p)   W(BoN_n)   W(optimal, same KL)        c      gap"
for c in table do
    ctx.Log(String.Format(Globalization.CultureInfo.InvariantCulture, "{0,4}   {1,9:F6}   {2,8:F6}   {3,19:F6}   {4,7:F4}   {5:0.0e+00}",
                          c.N, c.Kl, c.BonWinRate, c.OptimalWinRate, c.OptimalTilt, c.Gap))
let tableRows =
    [| for c in table ->
         row [ "n", box c.N; "kl", box c.Kl; "win_rate_bon", box c.BonWinRate
               "win_rate_optimal", box c.OptimalWinRate; "c", box c.OptimalTilt; "gap", box c.Gap ] |]
AtomicFile.WriteAllText(ctx.OutputPath "table.csv", ResultTable.FromRows(tableRows).ToCsv())

// Continuous case: closed forms for BoN and the optimal tilt; RLHF for a standard-normal reward on a grid.
let maxKl = ContinuousCase.BonKl maxN
let maxC = ContinuousCase.OptimalTiltForKl maxKl
let gaussian =
    RewardDistribution(Array.create grid (1.0 / float grid),
                       [| for i in 0 .. grid - 1 -> MathNet.Numerics.Distributions.Normal.InvCDF(0.0, 1.0, (float i + 0.5) / float grid) |])
let continuous =
    [ for j in 0 .. points - 1 do
        let n = Math.Pow(maxN, float j / float (points - 1))
        yield "BestOfN", n, ContinuousCase.BonKl n, ContinuousCase.BonWinRate n
      for j in 1 .. points do
        let c = maxC * float j / float points
        yield "Optimal", c, ContinuousCase.OptimalKl c, ContinuousCase.OptimalWinRate c
      for p in Frontiers.ForKlRange(gaussian, FrontierFamily.Rlhf, points, maxKl) do
        yield "Rlhf", p.Parameter, p.Kl, p.WinRate ]

// Discrete case with ties.
let ties = RewardDistribution([| 0.25; 0.20; 0.20; 0.15; 0.10; 0.10 |], [| 0.0; 1.0; 1.0; 2.0; 3.0; 3.0 |])
let tiesMaxKl = 0.9 * Frontiers.SupremumKl ties
let discrete =
    [ for f in [ FrontierFamily.BestOfN; FrontierFamily.Optimal; FrontierFamily.Rlhf ] do
        for p in Frontiers.ForKlRange(ties, f, points, tiesMaxKl) -> string p.Family, p.Parameter, p.Kl, p.WinRate ]

let writeFrontier file caseName rows =
    let cells = [| for (family: string, parameter: float, kl: float, win: float) in rows ->
                     row [ "case", box caseName; "family", box family; "parameter", box parameter; "kl", box kl; "win_rate", box win ] |]
    AtomicFile.WriteAllText(ctx.OutputPath file, ResultTable.FromRows(cells).ToCsv())
writeFrontier "frontier_continuous.csv" "continuous" continuous
writeFrontier "frontier_ties.csv" "ties" discrete

ctx.Log ""
ctx.Log(String.Format(Globalization.CultureInfo.InvariantCulture, "discrete case with ties: KL up to {0:F4} (0.9 × the supremum −log q_top = {1:F4})",
                      tiesMaxKl, Frontiers.SupremumKl ties))
for n in [ 2; 4; 8 ] do
    let c = Frontiers.OptimalAtBonKl(ties, float n)
    ctx.Log(String.Format(Globalization.CultureInfo.InvariantCulture,
                          "  n = {0}: KL {1:F4} (continuous {2:F4}), W(BoN) {3:F4} (n/(n+1) = {4:F4}), W(optimal) {5:F4}, gap {6:0.0e+00}",
                          n, c.Kl, ContinuousCase.BonKl(float n), c.BonWinRate, float n / float (n + 1), c.OptimalWinRate, c.Gap))

let names = [ "BestOfN", "best-of-n"; "Optimal", "optimal (win-score tilt)"; "Rlhf", "RLHF / DPO (reward tilt)" ]
let chart rows (marks: ResultPoint[]) (title: string) =
    let curves =
        [| for family, name in names ->
             let picked = rows |> List.filter (fun (f, _, _, _) -> f = family)
             FrontierCurve(name, [| for (_, _, kl, _) in picked -> kl |], [| for (_, _, _, w) in picked -> w |]) |]
    FrontierChart.Create(FrontierMetric.WinRate, curves, marks, title)
let continuousMarks = [| for c in table -> ResultPoint("best-of-n, integer n", c.Kl, 0.0, c.BonWinRate, 0.0, $"n = {inv c.N}") |]
let tiesMarks =
    [| for p in Frontiers.Compute(ties, FrontierFamily.BestOfN, [| 2.0; 4.0; 8.0 |]) ->
         ResultPoint("best-of-n, integer n", p.Kl, 0.0, p.WinRate, 0.0, $"n = {inv p.Parameter}") |]
(chart continuous continuousMarks "BoN is essentially optimal: win rate vs KL (continuous case)").Save(ctx.OutputPath "frontier_continuous.html") |> ignore
(chart discrete tiesMarks "BoN vs optimal vs RLHF with ties (6 outcomes)").Save(ctx.OutputPath "frontier_ties.html") |> ignore
ctx.Log ""
ctx.Log $"wrote {ctx.OutputDirectory}: table.csv, frontier_continuous.csv/.html, frontier_ties.csv/.html"
