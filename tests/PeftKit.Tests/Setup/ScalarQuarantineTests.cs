using System.Runtime.InteropServices;
using PeftKit.Setup;
using TorchSharp;

namespace PeftKit.Tests.Setup;

public sealed class ScalarQuarantineTests
{
    [Fact]
    public void IsActiveWhereTheKitLoadsTorchSharpsNativeLibrary()
    {
        var info = KitTorch.Setup();
        // The kit binds TorchSharp's P/Invokes itself exactly when the libstdc++ fix is needed (this project's CI host).
        Assert.Equal(info.Compat.Needed, ScalarQuarantine.IsActive);
        if (!ScalarQuarantine.IsActive)
            return;
        Assert.StartsWith("active (native scalars freed after 65,536 later disposals; ", ScalarQuarantine.Describe());
        var quarantine = NativeLibrary.Load(Path.Combine(info.Compat.CacheDirectory!, ScalarQuarantine.FileName));
        var torchSharp = NativeLibrary.Load(Path.Combine(info.Compat.CacheDirectory!, "libLibTorchSharp.so"));
        // Through the quarantine's handle: its own dispose, TorchSharp's everything else.
        Assert.NotEqual(NativeLibrary.GetExport(torchSharp, "THSTorch_dispose_scalar"), NativeLibrary.GetExport(quarantine, "THSTorch_dispose_scalar"));
        Assert.Equal(NativeLibrary.GetExport(torchSharp, "THSTensor_add"), NativeLibrary.GetExport(quarantine, "THSTensor_add"));
    }

    [Fact]
    public void DisposedScalarsAreParkedNotFreed()
    {
        KitTorch.Setup();
        if (!ScalarQuarantine.IsActive)
            return; // nothing to check where TorchSharp loaded its library itself (IsActiveWhere… covers that case)
        long before = ScalarQuarantine.ParkedScalars();
        for (int i = 0; i < 1000; i++)
        {
            using Scalar s = i + 0.5;
        }
        // Other tests dispose scalars concurrently, so at least these 1,000 more (up to the ring's size).
        Assert.InRange(ScalarQuarantine.ParkedScalars(), Math.Min(before + 1000, 65_536), 65_536);
    }
}
