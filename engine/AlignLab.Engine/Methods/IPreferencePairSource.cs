using TorchSharp;

namespace AlignLab.Engine.Methods;

/// <summary>Where DPO, IPO and BoNBoN get their pairs: a fixed dataset, or fresh best/worst-of-n samples.</summary>
public interface IPreferencePairSource
{
    /// <summary>Draws <paramref name="batchSize"/> pairs with <paramref name="generator"/>.</summary>
    PreferenceBatch Next(int batchSize, torch.Generator generator);
}
