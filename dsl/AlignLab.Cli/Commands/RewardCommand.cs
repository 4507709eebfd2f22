using System.CommandLine;
using System.Globalization;
using AlignLab.Dsl;
using AlignLab.Dsl.Progress;
using AlignLab.Engine.Datasets;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab reward train</c>: a Bradley–Terry reward model on a causal language model's trunk, trained on preference
/// pairs and saved as a Hugging Face <c>*ForSequenceClassification</c> folder (issue 11, item 1; docs/cli.md). The work
/// is <see cref="RewardModels.TrainBradleyTerry(string, string, string, BradleyTerryOptions?, IProgress{string}?, Action{AlignLab.Engine.Training.TrainingProgress}?)"/>;
/// this command reads the options, shows progress with ETA on stderr and prints the held-out accuracy. The folder is
/// written atomically: a killed run leaves no partial output.
/// </summary>
public static class RewardCommand
{
    /// <summary>Creates the <c>reward</c> command group.</summary>
    public static Command Create()
    {
        var command = new Command("reward", "Reward models: train one by Bradley–Terry on a language model's trunk.");
        command.Subcommands.Add(CreateTrain());
        return command;
    }

    private static Command CreateTrain()
    {
        var defaults = new BradleyTerryOptions();
        var baseFolder = new Option<string>("--base") { Required = true, Description = "The causal language model whose trunk the reward model starts from: a Hugging Face folder with a tokenizer." };
        var pairs = new Option<string>("--pairs") { Required = true, Description = "Preference pairs: JSONL or .parquet with prompt/chosen/rejected text, or an 'alignlab bon build' output (best vs worst)." };
        var output = new Option<string>("--out") { Required = true, Description = "The reward model folder to write (must not exist yet, or be empty)." };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => defaults.Steps, Description = "Optimiser steps." };
        var learningRate = new Option<double>("--lr") { DefaultValueFactory = _ => defaults.LearningRate, Description = "AdamW learning rate." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => defaults.BatchSize, Description = "Pairs per step." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => defaults.Seed, Description = "Seeds the score head, the held-out split and the batches." };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => defaults.ValidationFraction, Description = "Fraction of the distinct prompts held out to measure pairwise accuracy (0: none)." };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => defaults.WarmupSteps, Description = "Linear learning-rate warm-up steps." };
        var promptField = new Option<string>("--prompt-field") { DefaultValueFactory = _ => "prompt", Description = "The field holding the prompt." };
        var chosenField = new Option<string>("--chosen-field") { DefaultValueFactory = _ => "chosen", Description = "The field holding the preferred response." };
        var rejectedField = new Option<string>("--rejected-field") { DefaultValueFactory = _ => "rejected", Description = "The field holding the other response." };
        var onBadRow = new Option<string>("--on-bad-row") { DefaultValueFactory = _ => "stop", Description = "stop at a bad row (missing or empty field, too long for the base), or skip and count them." };
        onBadRow.AcceptOnlyFromAmong("stop", "skip");
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)." };
        var command = new Command("train", "Train a Bradley–Terry reward model on preference pairs and save it as a *ForSequenceClassification folder.")
        {
            baseFolder, pairs, output, steps, learningRate, batch, seed, validation, warmup, promptField, chosenField, rejectedField, onBadRow, device,
        };
        command.SetAction(parseResult => UserErrors.Run(parseResult, "alignlab reward train", stdout =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var options = new BradleyTerryOptions(parseResult.GetValue(steps), parseResult.GetValue(learningRate), parseResult.GetValue(batch),
                parseResult.GetValue(seed), parseResult.GetValue(validation), parseResult.GetValue(warmup), Device: parseResult.GetValue(device),
                Dataset: new DatasetOptions(parseResult.GetValue(promptField)!, parseResult.GetValue(chosenField)!, parseResult.GetValue(rejectedField)!,
                    parseResult.GetValue(onBadRow) == "skip" ? BadRows.Skip : BadRows.Stop)).Validate();
            var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            var progressOptions = new ProgressOptions(Label: "reward train", Metrics: ["accuracy", "margin", "lr"]);
            var progress = interactive ? ProgressReporter.ForConsole(progressOptions) : new ProgressReporter(error, ProgressMode.Lines, progressOptions);
            var result = RewardModels.TrainBradleyTerry(parseResult.GetValue(baseFolder)!, parseResult.GetValue(pairs)!, parseResult.GetValue(output)!,
                options, new LineWriter(error, progress), progress.Report);
            var accuracy = result.HeldOutAccuracy is { } a
                ? $"held-out pairwise accuracy {a}"
                : "no held-out pairs";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {result.Folder}: {accuracy}; trained on {result.TrainPairs} pairs, final loss {result.FinalLoss:F4}"));
        }));
        return command;
    }

    /// <summary>Writes each log line on its own line of stderr, closing an interactive progress line first.</summary>
    private sealed class LineWriter(TextWriter error, ProgressReporter progress) : IProgress<string>
    {
        public void Report(string value)
        {
            progress.Finish();
            error.WriteLine(value);
        }
    }
}
