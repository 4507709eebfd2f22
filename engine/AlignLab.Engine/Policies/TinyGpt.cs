using AlignLab.Models;
using AlignLab.Models.Families;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Engine.Policies;

/// <summary>
/// The toy language model: a small <see cref="Gpt2LmHeadModel"/> (exact GELU, as nanoGPT) whose shape comes from a
/// <see cref="TinyGptConfig"/>, used with fixed-length prompts of <see cref="TinyGptConfig.PromptLength"/> tokens.
/// It is the GPT-2 architecture, not a second implementation: saved with <see cref="HuggingFaceFolder.Save(CausalLm, string, TorchSharp.torch.ScalarType)"/> it is a
/// Hugging Face GPT-2 folder, and <see cref="HuggingFaceFolder.Load"/> reads it back with identical log-probs.
/// </summary>
public sealed class TinyGpt : Gpt2LmHeadModel
{
    /// <summary>Creates a freshly initialised model (initialisation draws from torch's global generator).</summary>
    public TinyGpt(TinyGptConfig config) : base(config.Validate().ToTransformerConfig())
    {
        Config = config;
    }

    /// <summary>The toy configuration.</summary>
    public TinyGptConfig Config { get; }

    /// <summary>Length of every prompt this model is used with (tokens).</summary>
    public int PromptLength => Config.PromptLength;

    /// <inheritdoc/>
    public override int? RequiredPromptLength => PromptLength;

}
