// rbon_vs_bon.csx: does regularised best-of-n resist reward hacking of a PROXY reward better than plain best-of-n?
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
// Run:  alignlab run scripts/rbon_vs_bon.csx [--set quick=true] [--set beta_kl=1] [--set beta_wd=4] [--set noise=1.5]
//         [--set max_n=256] [--set trials=20000] [--set seed=0]
//       quick: n up to 64 and 2,000 Monte-Carlo draws instead of n up to 256 and 20,000.

bool quick = Arg("quick", false);
int maxN = Arg("max_n", quick ? 64 : 256);
int trials = Arg("trials", quick ? 2000 : 20000);
double betaKl = Arg("beta_kl", 1.0);
double betaWd = Arg("beta_wd", 4.0);
double noise = Arg("noise", 1.5);
int seed = Arg("seed", 0);

const int Vocab = 3, Length = 4;
double[] tokenProbabilities = [0.5, 0.3, 0.2];
int outcomes = (int)Math.Pow(Vocab, Length);
var tokens = new long[outcomes, Length];
var p = new double[outcomes];
var gold = new double[outcomes];
for (int y = 0; y < outcomes; y++)
{
    p[y] = 1;
    for (int t = 0, code = y; t < Length; t++, code /= Vocab)
    {
        tokens[y, t] = code % Vocab;
        p[y] *= tokenProbabilities[code % Vocab];
        gold[y] += code % Vocab == 1 ? 1 : 0;
    }
}
var random = new Random(seed);
// A reward model fitted on base samples sees a response about T·p(y) times, so its error grows like 1/sqrt(p(y)):
// σ(y) = noise·sqrt(1/(K·p(y))), equal to noise for a response of average probability 1/K.
var proxy = gold.Select((g, y) => g + noise * Math.Sqrt(1.0 / (outcomes * p[y])) * MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)).ToArray();
var goldDistribution = new RewardDistribution(p, gold);
var ns = Enumerable.Range(0, 64).Select(k => 1 << k).TakeWhile(n => n <= maxN).ToArray();
Log($"{outcomes} responses; proxy = gold + N(0, {noise}²) noise; n = {string.Join(", ", ns)}; RBoN_KL β = {betaKl}, RBoN_WD β = {betaWd}, {trials} draws");

var rows = new List<IReadOnlyDictionary<string, object?>>();
var curves = new Dictionary<string, List<(double N, double Kl, double Gold, double GoldErr, double Proxy)>>();
void Add(string method, double beta, int n, double kl, double goldReward, double goldErr, double proxyReward, bool exact)
{
    rows.Add(new Dictionary<string, object?>
    {
        ["method"] = method, ["beta"] = beta, ["n"] = n, ["kl"] = kl, ["gold_reward"] = goldReward,
        ["gold_reward_std_err"] = goldErr, ["proxy_reward"] = proxyReward, ["exact"] = exact,
    });
    if (!curves.TryGetValue(method, out var curve)) curves[method] = curve = [];
    curve.Add((n, kl, goldReward, goldErr, proxyReward));
}
double Mean(IReadOnlyList<double> pi, double[] values) => pi.Select((v, i) => v * values[i]).Sum();

// Exact: BoN on gold, BoN on proxy, RBoN_KL on proxy (BoN of the reward proxy + β·log p).
var rankings = new (string Method, double Beta, double[] Ranking)[]
{
    ("bon-gold", 0, gold),
    ("bon-proxy", 0, proxy),
    ("rbon-kl-proxy", betaKl, proxy.Select((r, y) => r + betaKl * Math.Log(p[y])).ToArray()),
};
foreach (var (method, beta, ranking) in rankings)
    foreach (int n in ns)
    {
        var pi = Tilting.BestOfN(new RewardDistribution(p, ranking), n).Probabilities;
        Add(method, beta, n, Measures.Kl(goldDistribution, pi), Mean(pi, gold), 0, Mean(pi, proxy), exact: true);
    }

// Monte Carlo: RBoN_WD on proxy with the engine's sampler and selection.
var basePolicy = TabularPolicy.FromProbabilities([p]);
var proxyReward = new TabularReward([proxy]);
var tokenTable = torch.tensor(tokens.Cast<long>().ToArray(), new long[] { outcomes, Length });
var distance = new HammingDistance();
var generator = new torch.Generator((ulong)seed + 1);
foreach (int n in ns)
{
    CancellationToken.ThrowIfCancellationRequested();
    var counts = new long[outcomes];
    // Chunk the draws so the pairwise distances [chunk, n, n, L] stay small.
    int chunk = Math.Max(1, Math.Min(trials, 2_000_000 / (n * n * Length)));
    for (int done = 0; done < trials; done += chunk)
    {
        int b = Math.Min(chunk, trials - done);
        using var scope = torch.NewDisposeScope();
        var prompts = torch.zeros(new long[] { b, 1 }, torch.ScalarType.Int64);
        var batch = basePolicy.Sample(prompts, n, new SamplingOptions(MaxLength: 1), generator);
        var scores = RegularizedBestOfN.WassersteinScores(proxyReward.Score(batch.Prompts, batch.Responses).reshape(b, n),
            tokenTable.index_select(0, batch.Responses.reshape(-1)).reshape(b, n, Length), distance, betaWd);
        var picked = CandidateSelection.Gather(batch.Responses, CandidateSelection.BestIndices(scores, generator), n);
        foreach (long y in picked.reshape(-1).data<long>()) counts[y]++;
    }
    var empirical = counts.Select(c => c / (double)trials).ToArray();
    double goldMean = Mean(empirical, gold);
    double goldVar = Mean(empirical, gold.Select(g => (g - goldMean) * (g - goldMean)).ToArray());
    Add("rbon-wd-proxy", betaWd, n, Measures.Kl(goldDistribution, empirical), goldMean, Math.Sqrt(goldVar / trials), Mean(empirical, proxy), exact: false);
}

Log("");
Log("method            beta      n    KL(π‖p)   gold reward   proxy reward");
foreach (var row in rows)
    Log($"{row["method"],-16} {row["beta"],5} {row["n"],6} {row["kl"],10:F4} {row["gold_reward"],13:F4} {row["proxy_reward"],14:F4}");

AtomicFile.WriteAllText(OutputPath("rbon_vs_bon.csv"), ResultTable.FromRows(rows).ToCsv());
string[] labels = ["BoN on gold (reference)", "BoN on proxy", $"RBoN_KL on proxy (β = {betaKl})", $"RBoN_WD on proxy (β = {betaWd}, Monte Carlo)"];
var chartCurves = (OveroptimisationAxis axis) => curves.Values.Select((c, i) => new OveroptimisationCurve(labels[i],
    [.. c.Select(v => axis == OveroptimisationAxis.N ? v.N : v.Kl)], [.. c.Select(v => v.Gold)], [.. c.Select(v => v.Proxy)],
    [.. c.Select(v => v.GoldErr)])).ToList();
OveroptimisationChart.Create(OveroptimisationAxis.N, chartCurves(OveroptimisationAxis.N), "RBoN vs BoN under a noisy proxy reward: reward vs n")
    .Save(OutputPath("rbon_vs_bon.html"));
OveroptimisationChart.Create(OveroptimisationAxis.Kl, chartCurves(OveroptimisationAxis.Kl), "RBoN vs BoN under a noisy proxy reward: reward vs KL")
    .Save(OutputPath("rbon_vs_bon-kl.html"));
Log($"wrote {OutputPath("rbon_vs_bon.csv")}, rbon_vs_bon.html, rbon_vs_bon-kl.html");
