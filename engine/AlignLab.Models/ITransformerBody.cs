using AlignLab.Models.Families;
using AlignLab.Models.Layers;
using static TorchSharp.torch;

namespace AlignLab.Models;

/// <summary>
/// The body of a decoder-only transformer (<see cref="Gpt2Model"/>, <see cref="LlamaModel"/>, <see cref="GptNeoXModel"/>):
/// embeddings, blocks and final norm, without a head. A language-model head (<see cref="CausalLm"/>) or a scalar score
/// head (<see cref="SequenceClassificationModel"/>) reads its hidden states, so each architecture is implemented once.
/// </summary>
public interface ITransformerBody
{
    /// <summary>Final hidden states [B, T, D] of <paramref name="tokens"/> [B, T]; cache, mask and positions as in <see cref="CausalLm.forward"/>.</summary>
    Tensor forward(Tensor tokens, KvCache? cache, Tensor? keyMask, Tensor? positionIds);
}
