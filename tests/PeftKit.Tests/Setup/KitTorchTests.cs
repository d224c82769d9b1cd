namespace PeftKit.Tests.Setup;

public sealed class KitTorchTests
{
    [Fact]
    public void ForwardAndBackwardGiveTheKnownResult()
    {
        KitTorch.Setup();
        // y = sum(x²) at x = (1, 2, 3): y = 14, dy/dx = 2x = (2, 4, 6); exact in float32.
        using var x = torch.tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(14f, y.item<float>());
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void SetupTwiceIsHarmlessAndReseeds()
    {
        var first = KitTorch.Setup(seed: 7);
        using var a = torch.rand(5);
        var second = KitTorch.Setup(seed: 7);
        using var b = torch.rand(5);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.Same(first.Compat, second.Compat);
        Assert.Equal("cpu", second.Device);
        Assert.Equal("0.107.0", second.TorchSharpVersion);
    }

    [Fact]
    public void UnknownDeviceIsRejectedWithTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => KitTorch.Setup(device: "tpu"));
        Assert.Contains("\"auto\", \"cpu\" or \"cuda\"", e.Message);
    }
}
