using AlignLab.Models;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// How a model's state_dict maps to the tensors of a Hugging Face checkpoint, so <see cref="HuggingFaceFolder"/> loads
/// and saves every head (language model, sequence classification) by one code path.
/// </summary>
public interface IHuggingFaceLayout
{
    /// <summary>The architecture's configuration (the fields of its config.json).</summary>
    TransformerConfig ModelConfig { get; }

    /// <summary>
    /// The name in the module's state_dict of checkpoint tensor <paramref name="key"/>, or null for a tensor the model
    /// does not keep (buffers old checkpoints carry, a tied head's copy).
    /// </summary>
    string? StateNameOf(string key);

    /// <summary>The checkpoint key under which state_dict entry <paramref name="stateName"/> is saved.</summary>
    string CheckpointKeyOf(string stateName);

    /// <summary>Whether the checkpoint stores <paramref name="stateName"/> transposed relative to the module (GPT-2's Conv1D).</summary>
    bool StoredTransposed(string stateName);
}
