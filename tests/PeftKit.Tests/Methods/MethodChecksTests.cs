using PeftKit.Training;
using PeftKit.IO;
using PeftKit.Methods.IA3;
using PeftKit.Methods.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Methods;

/// <summary>The shared checks: every row of <see cref="MethodTable"/> runs through each one.</summary>
public sealed class MethodChecksTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "peftkit-methods-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    static Tensor Run(Module<ModelInput, ModelOutput> model, (Tensor ids, Tensor mask) x)
    {
        using var _ = no_grad();
        using var o = model.call(new ModelInput(x.ids, x.mask));
        return o.Logits!.detach().clone();
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>A few AdamW steps on a fixed random linear functional of the logits.</summary>
    static void Train(PeftModel model, (Tensor ids, Tensor mask) x, int steps = 3)
    {
        // TorchSharp's own AdamW here is what failed CI by chance (a scalar freed mid-call; see ScalarSafeAdamW).
        using var opt = new ScalarSafeAdamW(model.TrainableParameters(), lr: 1e-2);
        Tensor? target = null;
        for (int i = 0; i < steps; i++)
        {
            opt.zero_grad();
            using var o = model.call(new ModelInput(x.ids, x.mask));
            target ??= randn(o.Logits!.shape, generator: new Generator(3));
            using var loss = (o.Logits! * target).mean();
            loss.backward();
            opt.step();
        }
    }

    static Dictionary<string, Tensor> Snapshot(Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    [Theory]
    [MemberData(nameof(MethodTable.Identity), MemberType = typeof(MethodTable))]
    public void StartsAsTheBaseModel(MethodRow row)
    {
        var model = row.CreateBase();
        var x = row.Inputs();
        var before = Run(model, x);
        var peft = Peft.Apply(model, row.Config());
        // Exact: the methods add exact zeros (B = 0, zero up-projection) or multiply by exact ones (IA3), which IEEE
        // arithmetic leaves unchanged; any nonzero difference means the method is not the identity at init.
        Assert.True(Same(before, Run(peft, x)), $"{row}: max |diff| {MaxDiff(before, Run(peft, x))}");
    }

    /// <summary>
    /// Every method's forward, backward and optimizer step while another thread forces garbage collections nonstop
    /// gives the same parameters, bit for bit, as without: no scalar or tensor the step still needs is freed by a
    /// finalizer mid-call (the chance CI failure was one such scalar, in TorchSharp's AdamW).
    /// </summary>
    [Theory]
    [MemberData(nameof(MethodTable.All), MemberType = typeof(MethodTable))]
    public void TrainsTheSameUnderForcedGarbageCollection(MethodRow row)
    {
        var peft = Peft.Apply(row.CreateBase(), row.Config());
        peft.train(false); // no dropout: the two runs must see the same computation
        var x = row.Inputs();
        var start = Snapshot(peft);
        Dictionary<string, Tensor> Trained()
        {
            using (no_grad())
                foreach (var (name, p) in peft.named_parameters())
                    p.copy_(start[name]);
            Train(peft, x, steps: 5);
            return Snapshot(peft);
        }
        var calm = Trained();
        var stressed = Training.ForcedCollections.During(Trained);
        foreach (var (name, p) in calm)
            Assert.True(Same(p, stressed[name]), $"{row}: '{name}' differs under forced collections (max |diff| {MaxDiff(p, stressed[name])})");
    }

    [Theory]
    [MemberData(nameof(MethodTable.All), MemberType = typeof(MethodTable))]
    public void TrainsOnlyTheMethodsTensors(MethodRow row)
    {
        var peft = Peft.Apply(row.CreateBase(), row.Config());
        var x = row.Inputs();
        var start = Snapshot(peft);
        var trainable = peft.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        Assert.NotEmpty(trainable);
        Train(peft, x);
        foreach (var (name, p) in peft.named_parameters())
        {
            if (trainable.Contains(name))
                Assert.False(Same(start[name], p), $"{row}: trainable '{name}' did not change");
            else
            {
                Assert.True(p.grad is null, $"{row}: frozen '{name}' has a gradient");
                Assert.True(Same(start[name], p), $"{row}: frozen '{name}' changed");
            }
        }
        var head = peft.named_parameters().Where(p => p.name.StartsWith("base_model.score.") || p.name.StartsWith("base_model.classifier."));
        foreach (var (name, _) in head)
            Assert.Equal(peft.ConfigOf().TrainHead ?? true, trainable.Contains(name));
    }

    [Theory]
    [MemberData(nameof(MethodTable.All), MemberType = typeof(MethodTable))]
    public void TrainableCountMatchesTheClosedForm(MethodRow row)
    {
        var peft = Peft.Apply(row.CreateBase(), row.Config());
        var report = peft.Report();
        Assert.Equal(row.ExpectedTrainable(MethodRow.Tiny(row.Kind)), report.Trainable);
        Assert.Equal(peft.parameters().Sum(p => p.numel()), report.Total);
        Assert.Equal(report.Trainable, report.Rows.Sum(r => r.Trainable));
    }

    [Theory]
    [MemberData(nameof(MethodTable.All), MemberType = typeof(MethodTable))]
    public void SaveThenLoadIntoAFreshBaseReproducesOutputs(MethodRow row)
    {
        var peft = Peft.Apply(row.CreateBase(), row.Config());
        var x = row.Inputs();
        Train(peft, x, steps: 2);
        var trained = Run(peft, x);
        peft.SaveAdapter(_dir);
        var loaded = Peft.Load(row.CreateBase(), _dir);
        Assert.True(Same(trained, Run(loaded, x)), $"{row}: max |diff| {MaxDiff(trained, Run(loaded, x))}");
        Assert.Equal(peft.ConfigOf().PeftType, loaded.ConfigOf().PeftType);
        var keys = Safetensors.ReadHeader(Path.Combine(_dir, AdapterFileNames.Weights)).entries.Select(e => e.Name).ToList();
        Assert.DoesNotContain(keys, k => k.Contains(".default."));
        Assert.DoesNotContain(keys, k => k.Contains("prompt_encoder") || k.Contains("lstm_head") || k.Contains("mlp_head"));
    }

    [Theory]
    [MemberData(nameof(MethodTable.All), MemberType = typeof(MethodTable))]
    public void DisableAdaptersGivesTheBaseModelBack(MethodRow row)
    {
        var model = row.CreateBase();
        var x = row.Inputs();
        var baseOut = Run(model, x);
        var peft = Peft.Apply(model, row.Config());
        Train(peft, x, steps: 2);
        var adapted = Run(peft, x);
        Assert.True(MaxDiff(adapted, baseOut) > 1e-4, $"{row}: training changed nothing");
        using (peft.DisableAdapters())
            Assert.True(Same(baseOut, Run(peft, x)), $"{row}: disabled output differs from the base by {MaxDiff(baseOut, Run(peft, x))}");
        Assert.True(Same(adapted, Run(peft, x)), $"{row}: re-enabled output differs");
    }

    [Theory]
    [MemberData(nameof(MethodTable.Mergeable), MemberType = typeof(MethodTable))]
    public void MergedEqualsUnmergedAndUnmergeRestoresTheBase(MethodRow row)
    {
        var model = row.CreateBase();
        var baseWeights = Snapshot(model);
        var peft = Peft.Apply(model, row.Config());
        var x = row.Inputs();
        Train(peft, x);
        var unmerged = Run(peft, x);
        var trainedBase = Snapshot(peft);
        peft.Merge();
        var merged = Run(peft, x);
        // (W₀ + sBA)x vs W₀x + s·B(Ax) differ only by float32 rounding: ~1e-7 relative per op, summed over ≤ 64 terms
        // and 2 layers on O(1) logits → well under 1e-5, while the adapter itself moved the logits by > 1e-3.
        Assert.True(MaxDiff(merged, unmerged) < 1e-5, $"{row}: merged vs unmerged {MaxDiff(merged, unmerged)}");
        peft.Unmerge();
        foreach (var (name, p) in peft.named_parameters()) Assert.True(Same(trainedBase[name], p), $"{row}: '{name}' not restored");
        Assert.True(Same(unmerged, Run(peft, x)));

        var plain = peft.MergeAndUnload();
        Assert.DoesNotContain(plain.named_modules(), m => m.module is LoraLinear or IA3Linear);
        Assert.Equal(baseWeights.Keys.Order(), plain.named_parameters().Select(p => p.name).Order());
        Assert.True(MaxDiff(merged, Run(plain, x)) == 0, $"{row}: unloaded model differs from the merged one");
        Assert.True(MaxDiff(unmerged, Run(row.CreateBase(), x)) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(MethodTable.Consolidating), MemberType = typeof(MethodTable))]
    public void ConsolidateDropsTheEncoderAndKeepsTheOutputs(MethodRow row)
    {
        var peft = Peft.Apply(row.CreateBase(), row.Config());
        var x = row.Inputs();
        Train(peft, x, steps: 2);
        var trained = Run(peft, x);
        long before = peft.Report().Trainable;
        peft.Consolidate();
        Assert.DoesNotContain(peft.named_parameters(), p => p.name.StartsWith("prompt_encoder.") && (p.name.Contains("transform") || p.name.Contains("lstm_head") || p.name.Contains("mlp_head")));
        Assert.True(peft.Report().Trainable < before);
        // The consolidated prompt is the encoder's output computed once; the same float ops as in the forward pass.
        Assert.True(Same(trained, Run(peft, x)), $"{row}: {MaxDiff(trained, Run(peft, x))}");
    }
}
