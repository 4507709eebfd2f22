using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>Where DPO, IPO and BoNBoN get their pairs: a fixed dataset, or fresh best/worst-of-n samples.</summary>
public interface IPreferencePairSource
{
    /// <summary>Draws <paramref name="batchSize"/> pairs with <paramref name="generator"/>.</summary>
    PreferenceBatch Next(int batchSize, torch.Generator generator);

    /// <summary>
    /// Tensors that, with the training generator, fix the pairs still to come (e.g. a pass's order and position over a
    /// fixed dataset), so that a method's checkpoint can hold them; empty for sources that draw afresh every step.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();
}
