namespace AlignLab.Engine.Training;

/// <summary>An optimiser of the <see cref="Trainer"/> whose whole state is named tensors, so that a checkpoint holds it exactly.</summary>
internal interface IOptimizer : IDisposable
{
    /// <summary>Prefix of the optimiser's tensors and step count in a checkpoint ("adamw", "rmsprop").</summary>
    string Name { get; }

    /// <summary>Number of updates taken so far, t.</summary>
    int StepCount { get; set; }

    /// <summary>The optimiser's state tensors by name.</summary>
    IReadOnlyDictionary<string, TorchSharp.torch.Tensor> State { get; }

    /// <summary>One update with learning rate <paramref name="learningRate"/> from the parameters' current gradients.</summary>
    void Step(double learningRate);
}
