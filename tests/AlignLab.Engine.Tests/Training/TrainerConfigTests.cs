using AlignLab.Engine.Training;

namespace AlignLab.Engine.Tests.Training;

public class TrainerConfigTests
{
    [Fact]
    public void LearningRate_WarmsUpLinearly_ThenDecaysByCosineToFloor()
    {
        var config = new TrainerConfig(Steps: 110, LearningRate: 1.0, WarmupSteps: 10, Schedule: LearningRateSchedule.Cosine, MinLearningRateRatio: 0.1);
        Assert.Equal(0.1, config.LearningRateAt(1), 12);
        Assert.Equal(1.0, config.LearningRateAt(10), 12);
        Assert.Equal(0.1 + 0.9 * 0.5, config.LearningRateAt(60), 12);
        Assert.Equal(0.1, config.LearningRateAt(110), 12);
    }

    [Fact]
    public void LinearSchedule_IsHalfwayAtMidpoint()
    {
        var config = new TrainerConfig(Steps: 100, LearningRate: 2.0, Schedule: LearningRateSchedule.Linear);
        Assert.Equal(1.0, config.LearningRateAt(50), 12);
    }

    [Fact]
    public void Invalid_Throws_NamingTheField()
    {
        Assert.Equal("Steps", Assert.Throws<ArgumentException>(() => new TrainerConfig(Steps: 0).Validate()).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentException>(() => new TrainerConfig(LearningRate: -1).Validate()).ParamName);
        Assert.Equal("CheckpointDirectory", Assert.Throws<ArgumentException>(() => new TrainerConfig(CheckpointEvery: 5).Validate()).ParamName);
    }
}
