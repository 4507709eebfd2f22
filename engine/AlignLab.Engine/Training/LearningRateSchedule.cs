namespace AlignLab.Engine.Training;

/// <summary>Shape of the learning rate after the linear warm-up of <see cref="TrainerConfig.WarmupSteps"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant at <see cref="TrainerConfig.LearningRate"/>.</summary>
    Constant,

    /// <summary>Linear decay from the peak to <see cref="TrainerConfig.MinLearningRateRatio"/> × peak at the last step.</summary>
    Linear,

    /// <summary>Half-cosine decay from the peak to <see cref="TrainerConfig.MinLearningRateRatio"/> × peak at the last step.</summary>
    Cosine,
}
