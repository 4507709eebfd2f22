// bonbon_pipeline.fsx: the F# twin of bonbon_pipeline.csx (same question, same steps, same files).
// The BoNBoN paper's pipeline on real models (Gui et al. 2024, §5): trained on the same best/worst-of-n data, how close
// do BoNBoN, DPO and IPO-BoN come to best-of-n sampling itself — win rate against the reference at what KL, and how far
// does the response length (the off-target attribute) drift?
//
// 1. Builds best-of-n data once (what `alignlab bon build` does; resumable).
// 2. Trains BoNBoN (the authors' α rule), DPO (β) and IPO-BoN (β*_n) from the reference on that file (offline).
// 3. Evaluates every policy on held-out prompts by Monte-Carlo with standard errors, beside the reference and BoN_n
//    (with its exact KL bound log n − (n−1)/n).
//
// Makes, in the output folder (--out, default ./out/bonbon_pipeline): bon_n<N>.jsonl, table.csv, table.json (each figure
// with its *_se), frontier.html (error bars, theoretical best-of-n curve), with quick=true toy_export/ (the toy task as
// Hugging Face folders); trained policies in the run's rows/<key>/.
//
// Run:  alignlab run scripts/real/bonbon_pipeline.fsx --set policy=DIR --set reward=DIR --set prompts=FILE [the .csx's options]
// CI:   alignlab run scripts/real/bonbon_pipeline.fsx --set quick=true

open System
open System.IO
open AlignLab.Dsl
open AlignLab.Dsl.Scripting
open AlignLab.Engine.Tasks
open AlignLab.Models.Lora

let ctx = ScriptContext.ForScript __SOURCE_FILE__
let quick = ctx.Arg("quick", false)
let seed = ctx.Arg("seed", 0L)
let n = ctx.Arg("n", (if quick then 4 else 8))
let device = if ctx.HasArg "device" then ctx.Arg("device", "") else null

let policy, reward, prompts, maxPromptTokens, maxNewTokens =
    if quick then
        // A small toy language (4 symbols, responses of 4, 24 prompts) and a small base (pretrained once into the model
        // cache), exported into the output folder (reused by a rerun into the same folder).
        let toy =
            Tasks.ToyLanguage(seed = 1, vocabSize = 4, responseLength = 4, promptCount = 24)
                .WithBase(ToyBaseConfig(DModel = 16, Heads = 2, Layers = 1, Steps = 150, BatchSize = 128))
        let folders = ToyModels.ExportHuggingFace(ctx.OutputPath "toy_export", toy, log = ctx.LogLines)
        folders.Policy, folders.Reward, folders.Prompts, toy.Config.PromptLength, toy.Config.ResponseLength
    else
        if not (ctx.HasArg "policy" && ctx.HasArg "reward" && ctx.HasArg "prompts") then
            invalidArg "policy" "give the model folders and the prompt file: --set policy=DIR --set reward=DIR --set prompts=FILE (or --set quick=true)"
        ctx.Arg("policy", ""), ctx.Arg("reward", ""), ctx.Arg("prompts", ""), ctx.Arg("max_prompt_tokens", 256), ctx.Arg("max_new_tokens", 64)

let task =
    Tasks.Real(policy, reward, prompts, promptField = ctx.Arg("prompt_field", "prompt"), chatTemplate = ctx.Arg("chat_template", "none"), maxPromptTokens = maxPromptTokens,
               maxResponseTokens = maxNewTokens, temperature = ctx.Arg("temperature", 1.0), topP = ctx.Arg("top_p", 1.0),
               trainPrompts = ctx.Arg("train_prompts", 0), evalPrompts = ctx.Arg("eval_prompts", (if quick then 8 else 256)),
               evalSamplesPerPrompt = ctx.Arg("eval_samples", 4), splitSeed = seed)

let data = task.BuildBestOfN(ctx.OutputPath $"bon_n{n}.jsonl", n, seed, device, Action<string>(ctx.Log))

let steps = ctx.Arg("steps", (if quick then 12 else 500))
let scale =
    ExperimentScale(Steps = steps, LearningRate = ctx.Arg("lr", (if quick then 1e-2 else 1e-5)), WarmupSteps = min (steps / 10) 50,
                    PairBatchSize = ctx.Arg("batch", (if quick then 8 else 16)), LogEvery = (if quick then 4 else 10))
let experiment =
    Experiment.Named("bonbon-pipeline").On(task.WithBestOfN data).WithScale(scale).WithSeed(seed).OnDevice(device)
        .WithGradientAccumulation(ctx.Arg("grad_accum", 1))
        .Compare(Methods.Base(), Methods.BestOfN n, Methods.BonBon n, Methods.Dpo(beta = ctx.Arg("beta", 0.1), n = n), Methods.IpoBon n)
let loraRank = ctx.Arg("lora_rank", 0)
let configured = if loraRank > 0 then experiment.WithLora(LoraConfig(Rank = loraRank, Alpha = float (2 * loraRank))) else experiment

let result = configured.Run()
result.Print(Action<string>(ctx.Log))
result.Save ctx.OutputDirectory |> ignore
let table, chart = ctx.OutputPath "table.csv", ctx.OutputPath "frontier.html"
ctx.Log $"wrote {table} and {chart}; trained policies in {result.RunFolder}/rows"
