using PeftKit.Pretraining;

namespace PeftKit.Tests.Setup;

public class ProfileTests
{
    [Fact]
    public void ParsesExactlyTheTwoNames()
    {
        Assert.Same(Profile.Quick, Profile.Parse("quick"));
        Assert.Same(Profile.Full, Profile.Parse("full"));
        Assert.True(Profile.Parse("quick").IsQuick);
        Assert.True(Profile.Parse("full").IsFull);
        Assert.Equal(["quick", "full"], Profile.Names);
        Assert.Equal("full", Profile.Full.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Quick")]
    [InlineData("quick ")]
    [InlineData("gpu")]
    public void AnyOtherNameIsAnErrorThatListsTheAllowedOnes(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Profile.Parse(name));
        Assert.StartsWith($"Unknown profile \"{name}\": use one of \"quick\", \"full\"", e.Message);
    }

    [Fact]
    public void NullIsAnErrorToo()
    {
        var e = Assert.Throws<ArgumentException>(() => Profile.Parse(null));
        Assert.StartsWith("Unknown profile null: use one of", e.Message);
    }

    [Fact]
    public void PretrainingSizesFollowTheProfile()
    {
        Assert.Same(PretrainProfile.Quick, PretrainProfile.For(Profile.Quick));
        Assert.Same(PretrainProfile.Full, PretrainProfile.Named("full"));
    }
}
