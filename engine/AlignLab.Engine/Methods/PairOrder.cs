namespace AlignLab.Engine.Methods;

/// <summary>How <see cref="DatasetPairSource"/> goes through its fixed pairs.</summary>
public enum PairOrder
{
    /// <summary>Every batch drawn uniformly with replacement from the whole dataset.</summary>
    WithReplacement,

    /// <summary>
    /// Epochs: each pass visits every pair once in a fresh random order, in consecutive batches; the last batch of a pass
    /// holds the remainder (as a shuffling data loader without drop_last), so a pass is ⌈N/B⌉ steps.
    /// </summary>
    Epochs,
}
