using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Lora;

/// <summary>
/// The reference policy π_ref of a LoRA-adapted policy without a second copy of its weights: every call runs the
/// adapted model with its adapters switched off (<see cref="LoraAdapters.Disable"/>), so it computes the base model.
/// Pass it wherever a method takes a reference <see cref="ISequencePolicy"/>. <see cref="Module"/> is the adapted
/// model itself (the weights are shared): do not give it to an optimiser or a checkpoint as a separate model.
/// </summary>
public sealed class AdaptersOffPolicy(ISequencePolicy adapted) : ISequencePolicy
{
    /// <summary>The adapted policy whose base this is.</summary>
    public ISequencePolicy Adapted { get; } = adapted ?? throw new ArgumentNullException(nameof(adapted));

    /// <inheritdoc />
    public nn.Module Module => Adapted.Module;

    /// <inheritdoc />
    public Tensor SequenceLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null)
    {
        using var off = LoraAdapters.Disable(Adapted.Module);
        return Adapted.SequenceLogProbs(prompts, responses, promptMask, responseMask);
    }

    /// <inheritdoc />
    public Tensor TokenLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null)
    {
        using var off = LoraAdapters.Disable(Adapted.Module);
        return Adapted.TokenLogProbs(prompts, responses, promptMask, responseMask);
    }

    /// <inheritdoc />
    public SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator, Tensor? promptMask = null)
    {
        using var off = LoraAdapters.Disable(Adapted.Module);
        return Adapted.Sample(prompts, samplesPerPrompt, options, generator, promptMask);
    }
}
