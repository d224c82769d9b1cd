using PeftKit.Training;

namespace PeftKit.Tests.Training;

public sealed class LearningRateScheduleTests
{
    // Peak 1e-3, floor 1e-4, 10 warmup steps, 100 steps in all. Expected values worked out by hand from
    // warmup: peak·s/W; decay: p = (s − W)/(T − W), linear floor + (peak − floor)(1 − p),
    // cosine floor + (peak − floor)·½(1 + cos πp). Tolerance 1e-18: a few double roundings of numbers ~1e-3.
    [Theory]
    [InlineData(1, LearningRateDecay.Linear, 1e-4)]          // 1e-3 · 1/10
    [InlineData(5, LearningRateDecay.Linear, 5e-4)]
    [InlineData(10, LearningRateDecay.Linear, 1e-3)]         // end of warmup = peak
    [InlineData(55, LearningRateDecay.Linear, 5.5e-4)]       // p = 45/90 = ½ → 1e-4 + 9e-4·½
    [InlineData(100, LearningRateDecay.Linear, 1e-4)]        // last step = floor
    [InlineData(40, LearningRateDecay.Cosine, 7.75e-4)]      // p = 1/3, cos(π/3) = ½ → 1e-4 + 9e-4·¾
    [InlineData(70, LearningRateDecay.Cosine, 3.25e-4)]      // p = 2/3, cos(2π/3) = −½ → 1e-4 + 9e-4·¼
    [InlineData(100, LearningRateDecay.Cosine, 1e-4)]
    [InlineData(5, LearningRateDecay.Constant, 5e-4)]
    [InlineData(70, LearningRateDecay.Constant, 1e-3)]
    public void MatchesClosedForm(int step, LearningRateDecay decay, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.At(step, 100, 1e-3, 10, decay, 1e-4), 1e-18);

    [Fact]
    public void WithoutWarmupTheFirstStepUsesThePeakMinusOneDecayIncrement() =>
        // p = 1/4 → 1e-3 · (1 − ¼) with floor 0.
        Assert.Equal(7.5e-4, LearningRateSchedule.At(1, 4, 1e-3, 0, LearningRateDecay.Linear, 0), 1e-18);

    [Fact]
    public void StepZeroIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(0, 10, 1e-3, 0, LearningRateDecay.Linear, 0));
        Assert.Contains("1-based", e.Message);
    }
}
