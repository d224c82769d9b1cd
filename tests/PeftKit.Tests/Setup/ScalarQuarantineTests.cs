using System.Runtime.InteropServices;

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

    /// <summary>
    /// 300,000 tensor operations whose scalar TorchSharp makes on the fly (<c>x + 7</c>, <c>x.eq(7)</c>, <c>x * 0.5</c>)
    /// while another thread forces collections nonstop: every result exact. Run it with PEFTKIT_SCALAR_QUARANTINE=0 to
    /// see what the quarantine prevents (a freed scalar read mid-call: an exception from Scalar.h or a wrong value).
    /// </summary>
    [Fact]
    public void ImplicitScalarsStayValidUnderForcedCollections()
    {
        KitTorch.Setup();
        using var x = torch.tensor(new long[] { 1, 7, 9 });
        using var y = torch.tensor(new double[] { 2, 4, 6 });
        int wrong = Training.ForcedCollections.During(() =>
        {
            int bad = 0;
            for (int i = 0; i < 100_000; i++)
            {
                using var sum = x + 7;                 // Scalar(7L) made and dropped inside the operator
                using var hits = x.eq(7);              // Scalar(7L) again
                using var half = y * 0.5;              // Scalar(0.5)
                if (sum[0].item<long>() != 8 || !hits[1].item<bool>() || hits[0].item<bool>() || half[2].item<double>() != 3.0)
                    bad++;
            }
            return bad;
        });
        Assert.Equal(0, wrong);
    }
}
