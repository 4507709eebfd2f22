// real_model_bon.csx: best-of-n on a real pretrained language model. For a few prompts, how much does keeping the
// best of n samples raise a reward defined in this script, and how unlikely under the model are the kept samples?
// (THEORY.md §1: best-of-n's KL from the base is at most log n − (n−1)/n whatever the reward.)
//
// Loads the Hugging Face model folder given by --set model=DIR (config.json + safetensors + tokenizer; GPT-2,
// Llama family, GPT-NeoX/Pythia), prints what it holds, draws n continuations of each prompt in one batch, scores
// each with the reward below and marks the best one per prompt.
//
// Makes, in the output folder (--out, default ./out/real_model_bon):
//   samples.csv   one row per sample: prompt, sample, reward, logprob, finished, best, text
//   summary.csv   one row per prompt: prompt, n, mean_reward (≈ the base policy's), best_reward (best-of-n's), best_logprob
//
// Expected output (for CI, on a tiny random model folder): exit code 0; samples.csv has the header
//   "prompt,sample,reward,logprob,finished,best,text" and prompts × n rows with exactly one best = true per prompt,
//   whose reward is that prompt's largest; logprob ≤ 0; summary.csv has one row per prompt with
//   best_reward ≥ mean_reward; the last log line starts with "wrote ".
//
// Run:  alignlab run scripts/examples/real_model_bon.csx --set model=path/to/gpt2 [--set n=8] [--set max_new_tokens=32]
//       [--set temperature=1] [--set top_p=1] [--set seed=0]

if (!HasArg("model")) throw new ArgumentException("give the model folder: --set model=DIR");
int n = Arg("n", 8);
var options = new GenerationOptions(N: n, MaxNewTokens: Arg("max_new_tokens", 32), Temperature: Arg("temperature", 1.0),
    TopP: Arg("top_p", 1.0), Seed: Arg<long>("seed", 0));
string[] prompts =
[
    "The movie was",
    "My favourite thing about the weekend is",
    "The customer service at the restaurant",
];

// The reward: a small sentiment lexicon, +1 per positive word and −1 per negative one (a stand-in for a reward model),
// plus the fraction of characters that are letters or spaces, in [0, 1), so that readable text wins ties.
string[] positive = ["good", "great", "happy", "love", "loved", "wonderful", "best", "excellent", "enjoy", "fun", "kind", "amazing"];
string[] negative = ["bad", "terrible", "sad", "hate", "worst", "awful", "boring", "rude", "poor", "horrible"];
double Reward(string text)
{
    var words = text.ToLowerInvariant().Split([' ', '\n', '\t', '.', ',', '!', '?', ';', ':', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
    double readable = text.Length == 0 ? 0 : text.Count(c => char.IsLetter(c) || c == ' ') / (text.Length + 1.0);
    return words.Count(w => positive.Contains(w)) - words.Count(w => negative.Contains(w)) + readable;
}

var model = Models.Load(Arg("model", ""));
var info = model.Info();
Log($"{info.Architecture}, {info.Parameters:N0} parameters ({string.Join("/", info.DtypesOnDisk)} on disk), {info.Layers} layers, " +
    $"context {info.ContextLength}, tokenizer {info.Tokenizer?.Kind ?? "none"} with {info.Tokenizer?.VocabularySize ?? 0:N0} tokens");
Log($"best-of-{n}: KL(π_n‖p) ≤ log n − (n−1)/n = {Math.Log(n) - (n - 1.0) / n:F4} nats per prompt");

var samples = new List<IReadOnlyDictionary<string, object?>>();
var summary = new List<IReadOnlyDictionary<string, object?>>();
foreach (var drawn in model.Generate(prompts, options))
{
    var rewards = drawn.Select(s => Reward(s.Text)).ToArray();
    int best = Array.IndexOf(rewards, rewards.Max()); // ties: the first drawn (the samples are exchangeable, so a uniform pick)
    foreach (var s in drawn)
    {
        samples.Add(new Dictionary<string, object?>
        {
            ["prompt"] = s.Prompt, ["sample"] = s.Sample, ["reward"] = rewards[s.Sample], ["logprob"] = s.LogProb,
            ["finished"] = s.Finished, ["best"] = s.Sample == best, ["text"] = s.Text,
        });
    }
    summary.Add(new Dictionary<string, object?>
    {
        ["prompt"] = drawn[0].Prompt, ["n"] = n, ["mean_reward"] = rewards.Average(), ["best_reward"] = rewards[best],
        ["best_logprob"] = drawn[best].LogProb,
    });
    Log($"{drawn[0].Prompt} → {drawn[best].Text.ReplaceLineEndings(" ")}   (reward {rewards[best]:F3}; mean of {n}: {rewards.Average():F3})");
}
model.Dispose();

var summaryTable = ResultTable.FromRows(summary);
Log("");
Log(summaryTable.ToText(4).TrimEnd());
AtomicFile.WriteAllText(OutputPath("samples.csv"), ResultTable.FromRows(samples).ToCsv());
AtomicFile.WriteAllText(OutputPath("summary.csv"), summaryTable.ToCsv());
Log($"wrote {OutputPath("samples.csv")} and {OutputPath("summary.csv")}");
