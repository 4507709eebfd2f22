// bonbon_pipeline.csx: the BoNBoN paper's pipeline on real models (Gui et al. 2024, §5: Pythia on Anthropic HH). Trained
// on the same best/worst-of-n data, how close do BoNBoN, DPO and IPO-BoN come to best-of-n sampling itself — win rate
// against the reference at what KL, and how far does the response length (the off-target attribute) drift?
//
// 1. Builds best-of-n data once (what `alignlab bon build` does): for every training prompt, n samples of the policy,
//    scored by the reward model, best and worst marked (resumable: rerun to continue an interrupted build).
// 2. Trains BoNBoN (the authors' α rule), DPO (β) and IPO-BoN (β*_n) from the reference on that file (offline), with the
//    same seed, full fine-tuning or LoRA adapters.
// 3. Evaluates every policy on held-out prompts by Monte-Carlo, with standard errors: win rate against the reference
//    under the reward (ties half), KL from the policy's own samples, expected reward, response length; beside the
//    reference itself and best-of-n sampling of it (BoN_n, with its exact KL bound log n − (n−1)/n).
//
// Makes, in the output folder (--out, default ./out/bonbon_pipeline):
//   bon_n<N>.jsonl (+ .settings.json)  the best-of-n data
//   table.csv, table.json              one row per method: win_rate, kl, kl_bound, expected_reward, off_target (length), each with *_se
//   frontier.html                      win rate vs KL with ±1 standard-error bars, and the theoretical best-of-n curve
//   toy_export/                        with quick=true: the toy task as Hugging Face folders (policy, reward, prompts.jsonl)
// and a run folder in the run store ($ALIGNLAB_RUNS or ./runs) whose rows/<key>/ hold each trained policy
// (policy/ as a Hugging Face folder, or adapter/ in PEFT's layout with --set lora_rank=R).
//
// Run (a GPU, GPT-2 or Pythia weights, a reward model, a prompt file):
//   alignlab run scripts/real/bonbon_pipeline.csx --set policy=models/pythia-1.4b --set reward=models/pythia-rm \
//       --set prompts=data/hh_prompts.jsonl [--set prompt_field=prompt] [--set chat_template=none|auto|FILE] [--set n=8] [--set beta=0.1] [--set steps=500]
//       [--set lr=1e-5] [--set batch=16] [--set grad_accum=4] [--set lora_rank=0] [--set max_prompt_tokens=256]
//       [--set max_new_tokens=64] [--set train_prompts=0] [--set eval_prompts=256] [--set eval_samples=4] [--set seed=0]
// CI: alignlab run scripts/real/bonbon_pipeline.csx --set quick=true   (the toy task exported as Hugging Face folders:
//   a tiny GPT-2 trained on the toy language, its tokenizer, a Bradley–Terry reward model; same code path, tiny sizes)

bool quick = Arg("quick", false);
long seed = Arg<long>("seed", 0);
int n = Arg("n", quick ? 4 : 8);

string policy, reward, prompts;
int maxPromptTokens, maxNewTokens;
if (quick)
{
    // A small toy language (4 symbols, responses of 4, 24 prompts) and a small base (pretrained once into the model
    // cache), exported into the output folder (reused by a rerun into the same folder).
    var toy = Tasks.ToyLanguage(seed: 1, vocabSize: 4, responseLength: 4, promptCount: 24)
        .WithBase(new ToyBaseConfig(DModel: 16, Heads: 2, Layers: 1, Steps: 150, BatchSize: 128));
    var folders = ToyModels.ExportHuggingFace(OutputPath("toy_export"), toy, log: LogLines);
    (policy, reward, prompts) = (folders.Policy, folders.Reward, folders.Prompts);
    (maxPromptTokens, maxNewTokens) = (toy.Config.PromptLength, toy.Config.ResponseLength);
}
else
{
    if (!HasArg("policy") || !HasArg("reward") || !HasArg("prompts"))
        throw new ArgumentException("give the model folders and the prompt file: --set policy=DIR --set reward=DIR --set prompts=FILE (or --set quick=true)");
    (policy, reward, prompts) = (Arg("policy", ""), Arg("reward", ""), Arg("prompts", ""));
    (maxPromptTokens, maxNewTokens) = (Arg("max_prompt_tokens", 256), Arg("max_new_tokens", 64));
}

var task = Tasks.Real(policy, reward, prompts, promptField: Arg("prompt_field", "prompt"), chatTemplate: Arg("chat_template", "none"), maxPromptTokens: maxPromptTokens,
    maxResponseTokens: maxNewTokens, temperature: Arg("temperature", 1.0), topP: Arg("top_p", 1.0),
    trainPrompts: Arg("train_prompts", 0), evalPrompts: Arg("eval_prompts", quick ? 8 : 256),
    evalSamplesPerPrompt: Arg("eval_samples", 4), splitSeed: seed);

var data = task.BuildBestOfN(OutputPath($"bon_n{n}.jsonl"), n, seed, device: HasArg("device") ? Arg("device", "") : null, log: Log);

int steps = Arg("steps", quick ? 12 : 500);
var scale = new ExperimentScale(Steps: steps, LearningRate: Arg("lr", quick ? 1e-2 : 1e-5), WarmupSteps: Math.Min(steps / 10, 50),
    PairBatchSize: Arg("batch", quick ? 8 : 16), LogEvery: quick ? 4 : 10);
var experiment = Experiment.Named("bonbon-pipeline").On(task.WithBestOfN(data)).WithScale(scale).WithSeed(seed)
    .OnDevice(HasArg("device") ? Arg("device", "") : null).WithGradientAccumulation(Arg("grad_accum", 1))
    .Compare(Methods.Base(), Methods.BestOfN(n), Methods.BonBon(n), Methods.Dpo(beta: Arg("beta", 0.1), n: n), Methods.IpoBon(n));
int loraRank = Arg("lora_rank", 0);
if (loraRank > 0) experiment = experiment.WithLora(new LoraConfig(Rank: loraRank, Alpha: 2 * loraRank));

var result = experiment.Run();
result.Print(Log);
result.Save(OutputDirectory);
Log($"wrote {OutputPath("table.csv")} and {OutputPath("frontier.html")}; trained policies in {result.RunFolder}/rows");
