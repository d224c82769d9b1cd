using PeftKit.Training;

namespace PeftKit.Tests.Training;

public sealed class TrainerConfigTests
{
    [Fact]
    public void FieldRulesNameTheFieldAndTheFix()
    {
        Assert.Contains("TrainerConfig.LearningRate must be a finite number above 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { LearningRate = 0 }).Message);
        Assert.Contains("TrainerConfig.Beta2 must be in [0, 1)",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { Beta2 = 1.0 }).Message);
        Assert.Contains("TrainerConfig.AccumulationSteps must be at least 1",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { AccumulationSteps = 0 }).Message);
        Assert.Contains("TrainerConfig.MaxGradNorm must be a finite number above 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { MaxGradNorm = -1 }).Message);
        Assert.Contains("TrainerConfig.WeightDecay must be a finite number ≥ 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { WeightDecay = double.NaN }).Message);
        Assert.Contains("or null to turn it off",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig { EarlyStoppingPatience = 0 }).Message);
        // `with` goes through the same checks.
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerConfig() with { LogEvery = 0 });
    }

    [Fact]
    public void CrossFieldRulesAreCheckedByValidate()
    {
        Assert.Contains("needs MaxSteps or MaxEpochs",
            Assert.Throws<ArgumentException>(() => new TrainerConfig().Validate()).Message);
        Assert.Contains("MinLearningRate (0.01) is above LearningRate (0.001)",
            Assert.Throws<ArgumentException>(() => new TrainerConfig { MaxSteps = 5, MinLearningRate = 0.01 }.Validate()).Message);
        Assert.Contains("WarmupSteps (5) must be below MaxSteps (5)",
            Assert.Throws<ArgumentException>(() => new TrainerConfig { MaxSteps = 5, WarmupSteps = 5 }.Validate()).Message);
        var ok = new TrainerConfig { MaxSteps = 5, WarmupSteps = 4 };
        Assert.Same(ok, ok.Validate());
    }
}
