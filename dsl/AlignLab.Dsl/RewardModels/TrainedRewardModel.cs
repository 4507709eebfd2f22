using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;

namespace AlignLab.Dsl;

/// <summary>
/// A reward model trained by Bradley–Terry (<see cref="RewardModels"/>): the model, its pairwise accuracy on the
/// held-out prompts' pairs with standard error (null when nothing was held out), the pair counts and the last training
/// record. Dispose it to free the weights.
/// </summary>
public sealed class TrainedRewardModel : IDisposable
{
    internal TrainedRewardModel(SequenceClassificationModel model, Estimate? heldOutAccuracy, int trainPairs, int validationPairs,
        TrainingProgress last, BradleyTerryOptions options)
    {
        Model = model;
        HeldOutAccuracy = heldOutAccuracy;
        TrainPairs = trainPairs;
        ValidationPairs = validationPairs;
        Last = last;
        Options = options;
    }

    /// <summary>The reward model (the base's trunk and a score head), in eval mode.</summary>
    public SequenceClassificationModel Model { get; }

    /// <summary>Pairwise accuracy on the held-out pairs, ties counted half, ± its standard error; null without a held-out split.</summary>
    public Estimate? HeldOutAccuracy { get; }

    /// <summary>Pairs trained on.</summary>
    public int TrainPairs { get; }

    /// <summary>Pairs held out.</summary>
    public int ValidationPairs { get; }

    /// <summary>The last training record (loss, batch accuracy and margin, learning rate).</summary>
    public TrainingProgress Last { get; }

    /// <summary>The options it was trained with.</summary>
    public BradleyTerryOptions Options { get; }

    /// <summary>Name of the file beside the weights that records how the model was trained.</summary>
    public const string TrainingFile = "reward_training.json";

    /// <summary>
    /// Writes the model to <paramref name="folder"/> atomically (<see cref="AtomicFolder"/>; it must not exist or be
    /// empty) as a Hugging Face <c>*ForSequenceClassification</c> folder with one label (<see cref="HuggingFaceFolder.Save(SequenceClassificationModel, string)"/>),
    /// the tokenizer files of <paramref name="tokenizerFolder"/> (null: none) copied beside it, and <see cref="TrainingFile"/>:
    /// the options, pair counts, held-out accuracy and final loss, plus the fields of <paramref name="provenance"/> (e.g. the base and the data).
    /// </summary>
    public void Save(string folder, string? tokenizerFolder, JsonObject? provenance = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        AtomicFolder.Write(folder, temp =>
        {
            HuggingFaceFolder.Save(Model, temp);
            if (tokenizerFolder is not null) ModelTokenizer.CopyFiles(tokenizerFolder, temp);
            var record = provenance?.DeepClone().AsObject() ?? [];
            record["method"] = "bradley-terry";
            record["options"] = JsonSerializer.SerializeToNode(Options with { Dataset = null });
            record["train_pairs"] = TrainPairs;
            record["validation_pairs"] = ValidationPairs;
            record["held_out_accuracy"] = HeldOutAccuracy is { } a ? new JsonObject { ["value"] = a.Value, ["standard_error"] = a.StandardError, ["pairs"] = a.SampleCount } : null;
            record["final_loss"] = double.IsFinite(Last.Loss) ? Last.Loss : null;
            File.WriteAllText(Path.Combine(temp, TrainingFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        });
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
