using PeftKit.Data;
using PeftKit.Experiments;
using PeftKit.IO;
using PeftKit.Methods;
using PeftKit.Methods.Baselines;
using PeftKit.Methods.Lora;
using PeftKit.Methods.PTuning;
using PeftKit.Measurement;
using PeftKit.Quantization;
using PeftKit.Training;

namespace PeftKit.Tests.Experiments;

[Collection(ExperimentsCollection.Name)]
public sealed class ExperimentRunTests(SmallBases bases)
{
    static RunSpec Spec(string label, PeftConfig method, int steps = 6) =>
        new() { Label = label, Method = method, Steps = steps, BatchSize = 8, WarmupSteps = 1, EvalEvery = 3, LearningRate = 5e-3, EvalBatchSize = 16 };

    ClassificationData Data(TinyBase b) => ClassificationData.Create(TaskName.SpamHam, b, maxLength: 40, maxTrain: 64, maxEval: 24);

    /// <summary>Every base tensor of <paramref name="model"/> (head excluded) against the file: true when bit-identical.</summary>
    static Dictionary<string, bool> BaseUnchanged(TinyBase b, PeftModel model)
    {
        var (saved, _) = Safetensors.Load(b.WeightsPath);
        try
        {
            return model.Base.named_parameters()
                .Where(p => saved.ContainsKey(p.name))
                .ToDictionary(p => p.name, p => Bits.Same(p.parameter, saved[p.name]));
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }

    [Fact]
    public void LoraRunChangesOnlyAdapterAndHeadAndReportsWhatItTrained()
    {
        var b = bases.Encoder;
        var data = Data(b);
        var result = Experiment.Run(b, data, Spec("LoRA r=4", new LoraConfig(new[] { "query", "value" }, rank: 4)), null, out var model);
        using var inner = model.Base;
        using var _ = model;

        // Base: every pretrained tensor bit-identical to the file (LoRA wraps query/value; their base weights stay put).
        var unchanged = BaseUnchanged(b, model);
        Assert.True(unchanged.Count > 20);
        Assert.All(unchanged, kv => Assert.True(kv.Value, $"base tensor {kv.Key} changed"));
        // Trained: LoRA A/B and the classifier; B starts at zero, so a changed B proves the adapter learned.
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.All(trainable, n => Assert.True(n.Contains("lora_") || n.Contains("classifier."), $"{n} is trainable"));
        Assert.Contains(model.named_parameters(), p => p.name.Contains("lora_B") && p.parameter.abs().sum().item<float>() > 0);

        // Counts: the PeftModel report, and the closed form: L·2 matrices·r·(d+d) + classifier d·2 + 2.
        long d = b.Config.HiddenSize, L = b.Config.NumLayers;
        Assert.Equal(model.Report().Trainable, result.TrainableParameters);
        Assert.Equal(L * 2 * 4 * (d + d) + (d * 2 + 2), result.TrainableParameters);
        Assert.Equal(model.Report().Total, result.TotalParameters);
        Assert.Equal("lora", result.Method);
        Assert.Equal("tiny-bert", result.BaseName);

        // Accuracies: in [0, 1], and the returned model (the best dev checkpoint) reproduces them.
        Assert.InRange(result.TestAccuracy, 0, 1);
        Assert.InRange(result.DevAccuracy, 0, 1);
        Assert.Equal(result.DevAccuracy, Experiment.Accuracy(model, data, Split.Dev), 12);
        Assert.Equal(result.TestAccuracy, Experiment.Accuracy(model, data, Split.Test), 12);
        var (steps, values) = result.History.Metric("accuracy");
        Assert.Equal([3, 6], steps);
        Assert.Equal(values.Max(), result.DevAccuracy, 12);
        Assert.Equal(steps[Array.IndexOf(values, values.Max())], result.BestStep);
        Assert.Equal(6, result.History.Steps.Count);

        // Timing and size are measured, not made up: a positive step time, and the adapter file holds at least the trained floats.
        Assert.True(result.StepMsMedian > 0 && double.IsFinite(result.StepMsMedian));
        Assert.True(result.AdapterBytes > 4 * result.TrainableParameters, $"adapter {result.AdapterBytes} bytes for {result.TrainableParameters} floats");
        Assert.True(result.Seconds > 0);
    }

    [Fact]
    public void SameSpecSameNumbersOtherSeedOtherNumbers()
    {
        var b = bases.Decoder;
        var data = Data(b);
        var a = Experiment.Run(b, data, Spec("a", new LoraConfig(new[] { "c_attn" }, rank: 2)));
        var a2 = Experiment.Run(b, data, Spec("a", new LoraConfig(new[] { "c_attn" }, rank: 2)));
        var c = Experiment.Run(b, data, Spec("a", new LoraConfig(new[] { "c_attn" }, rank: 2)) with { Seed = 43 });
        Assert.Equal(a.History.TrainLoss, a2.History.TrainLoss);
        Assert.Equal(a.TestAccuracy, a2.TestAccuracy);
        Assert.NotEqual(a.History.TrainLoss, c.History.TrainLoss);
    }

    /// <summary>Every method of the catalog, on both kinds of base (a method added to the catalog is run here without a new row).</summary>
    public static TheoryData<string, ModelKind> CatalogMethods()
    {
        var data = new TheoryData<string, ModelKind>();
        foreach (var method in MethodCatalog.Names)
        {
            data.Add(method, ModelKind.Decoder);
            data.Add(method, ModelKind.Encoder);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogMethods))]
    public void EveryMethodRunsThroughExperiment(string method, ModelKind kind)
    {
        var b = bases.Of(kind);
        var spec = Spec(method, Experiment.MethodConfig(method, b), steps: 2) with { EvalEvery = 2 };
        var result = Experiment.Run(b, Data(b), spec, null, out var model);
        using var inner = model.Base;
        using var _ = model;
        Assert.Equal(method, result.Method);
        Assert.Equal(model.Report().Trainable, result.TrainableParameters);
        Assert.All(result.History.TrainLoss, l => Assert.True(double.IsFinite(l) && l > 0));
        Assert.InRange(result.TestAccuracy, 0, 1);
        Assert.True(result.AdapterBytes > 0);
        if (method == "full") Assert.Equal(result.TotalParameters, result.TrainableParameters);
        else
        {
            Assert.True(result.TrainableParameters < result.TotalParameters, $"{method} trains {result.TrainableParameters} of {result.TotalParameters}");
            // A PEFT method leaves every pretrained tensor outside its own and the head's untouched (BitFit trains the biases).
            var own = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name["base_model.".Length..]).ToHashSet();
            Assert.All(BaseUnchanged(b, model).Where(kv => !own.Contains(kv.Key)), kv => Assert.True(kv.Value, $"{method} changed {kv.Key}"));
        }
    }

    [Fact]
    public void PTuningV1ReadsTheMaskThroughTheVerbalizerAndTrainsOnlyThePromptEncoder()
    {
        var b = bases.Encoder;
        var data = Data(b);
        var verbalizer = data.DefaultVerbalizer();
        Assert.Equal(2, verbalizer.LabelTokenIds.Count);
        var config = new PTuningConfig(Experiment.PTuningTemplate(b, 4), PromptEncoderKind.Mlp, encoderHiddenSize: 16);
        var result = Experiment.Run(b, data, Spec("P-Tuning v1", config), null, out var model);
        using var inner = model.Base;
        using var _ = model;
        Assert.Equal(HeadKind.MaskedLanguageModel, model.Base.Head);
        Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.StartsWith("prompt_encoder.", p.name));
        Assert.All(BaseUnchanged(b, model), kv => Assert.True(kv.Value, $"base tensor {kv.Key} changed"));
        // embedding 4·d + MLP d·h + h + h·h + h + h·d + d.
        long d = b.Config.HiddenSize, h = 16;
        Assert.Equal(4 * d + d * h + h + h * h + h + h * d + d, result.TrainableParameters);
        Assert.Equal(result.TestAccuracy, Experiment.Accuracy(model, data, Split.Test, verbalizer: verbalizer), 12);
    }

    [Fact]
    public void PTuningV1OnADecoderReadsTheLabelWordAsTheNextTokenAfterTheRow()
    {
        var b = bases.Decoder;
        var data = Data(b);
        var verbalizer = data.DefaultVerbalizer();
        var template = Experiment.PTuningTemplate(b, 4);
        var config = new PTuningConfig(template, PromptEncoderKind.Mlp, encoderHiddenSize: 16);
        var result = Experiment.Run(b, data, Spec("P-Tuning v1 (decoder)", config), null, out var model);
        using var inner = model.Base;
        using var _ = model;
        Assert.Equal(HeadKind.LanguageModel, model.Base.Head);
        Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.StartsWith("prompt_encoder.", p.name));
        Assert.All(BaseUnchanged(b, model), kv => Assert.True(kv.Value, $"base tensor {kv.Key} changed"));

        // Accuracy by hand: the LM's next-token logits at each row's last real token (rows are right-padded, so
        // position sum(mask) − 1), compared over the two label words only.
        model.eval();
        long correct = 0, total = 0;
        using (no_grad())
            foreach (var batch in data.EvalBatches(Split.Test, 16, template))
            {
                using var logits = model.forward(batch with { Labels = null }).Logits!;           // (B, T, V)
                var lengths = batch.AttentionMask!.sum(1).data<long>().ToArray();
                var labels = batch.Labels!.data<long>().ToArray();
                for (int r = 0; r < lengths.Length; r++)
                {
                    var word = verbalizer.LabelTokenIds.Select(id => logits[r, lengths[r] - 1, id].item<float>()).ToArray();
                    correct += (word[1] > word[0] ? 1 : 0) == labels[r] ? 1 : 0;
                    total++;
                }
            }
        Assert.Equal(correct / (double)total, result.TestAccuracy, 12);
    }

    [Fact]
    public void LinearProbeLearnsTheTrainingSet()
    {
        // A trainable head on fixed features must fit 16 examples: the loss falls clearly over 60 steps.
        var b = bases.Encoder;
        var data = ClassificationData.Create(TaskName.SpamHam, b, maxLength: 32, maxTrain: 16, maxEval: 16);
        var spec = new RunSpec { Label = "probe", Method = new LinearProbe(), Steps = 60, BatchSize = 16, WarmupSteps = 0, EvalEvery = 60, LearningRate = 3e-2 };
        var r = Experiment.Run(b, data, spec);
        var loss = r.History.TrainLoss;
        Assert.True(loss.TakeLast(10).Average() < 0.8 * loss.Take(10).Average(), $"loss {loss.Take(10).Average():F3} → {loss.TakeLast(10).Average():F3}");
    }

    [Fact]
    public void HeadLearningRateTrainsTheHeadAtItsOwnRate()
    {
        // Powers of two, so lr × (head / lr) = head exactly and the schedule scales without rounding: a probe trained
        // at 1/1024 with the head at 1/128 must end bit-identical to a probe trained at 1/128, and differ from one
        // trained at 1/1024 (the head is the probe's only trainable tensor).
        var b = bases.Encoder;
        var data = Data(b);
        float[] Head(RunSpec spec)
        {
            Experiment.Run(b, data, spec, null, out var model);
            using var inner = model.Base;
            using var _ = model;
            return model.named_parameters().Where(p => p.name.Contains("classifier.weight")).Single().parameter.detach().data<float>().ToArray();
        }
        var slow = Spec("probe", new LinearProbe()) with { LearningRate = 1.0 / 1024 };
        var withHeadRate = Head(slow with { HeadLearningRate = 1.0 / 128 });
        Assert.Equal(Head(slow with { LearningRate = 1.0 / 128 }), withHeadRate);
        Assert.NotEqual(Head(slow), withHeadRate);
    }

    [Fact]
    public void MisuseSaysWhatToChange()
    {
        var data = Data(bases.Encoder);
        var e = Assert.Throws<ArgumentException>(() => Experiment.Run(bases.Decoder, data, Spec("x", new LinearProbe())));
        Assert.Contains("ClassificationData.Create(task, thisBase)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Experiment.Run(bases.Encoder, data, Spec("x", new LinearProbe()) with { Verbalizer = new Verbalizer([10, 11]) }));
        Assert.Contains("only used by P-Tuning v1", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => Experiment.Run(bases.Encoder, data, Spec("x", new LinearProbe()) with { WarmupSteps = 6 }));
        Assert.Contains("WarmupSteps (6) must be below Steps (6)", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => Experiment.RunAll(bases.Encoder, data, [Spec("x", new LinearProbe()), Spec("x", new FullFineTune())]));
        Assert.Contains("labelled 'x'", e4.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Spec("x", new LinearProbe()) with { Steps = 0 });
        Assert.Contains("HeadLearningRate must be a finite number above 0", Assert.Throws<ArgumentOutOfRangeException>(() => Spec("x", new LinearProbe()) with { HeadLearningRate = 0 }).Message);
        var ptuning = new PTuningConfig(Experiment.PTuningTemplate(bases.Encoder));
        Assert.Contains("has no task head, so HeadLearningRate does nothing", Assert.Throws<ArgumentException>(() => Experiment.Run(bases.Encoder, data, Spec("x", ptuning) with { HeadLearningRate = 1e-2 })).Message);
        Assert.Contains("RunSpec.Label", Assert.Throws<ArgumentException>(() => new RunSpec { Label = " ", Method = new LinearProbe() }).Message);
        Assert.Contains("QuantizeBase (Nf4) is for LoRA", Assert.Throws<ArgumentException>(() => Experiment.Run(bases.Encoder, data, Spec("x", new FullFineTune()) with { QuantizeBase = QuantizationKind.Nf4 })).Message);
    }

    [Fact]
    public void QloraRunTrainsLoraOnAnNf4BaseAndItsAnswersPairWithTheFloatRun()
    {
        var b = bases.Encoder;
        var data = Data(b);
        var lora = Spec("LoRA", new LoraConfig(new[] { "query", "value" }, rank: 4));
        var result = Experiment.Run(b, data, lora with { Label = "QLoRA", QuantizeBase = QuantizationKind.Nf4 }, null, out var model);
        using var inner = model.Base;
        using var _ = model;
        // Every block Linear is stored in 4 bits; LoRA wraps the quantised query/value; only LoRA and the head train.
        Assert.Equal(b.Config.NumLayers * 6, model.modules().OfType<QuantizedLinear>().Count());
        Assert.All(model.modules().OfType<LoraLinear>(), l => Assert.IsType<QuantizedLinear>(l.BaseLayer));
        Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.True(p.name.Contains("lora_") || p.name.Contains("classifier."), $"{p.name} is trainable"));
        Assert.Contains(model.named_parameters(), p => p.name.Contains("lora_B") && p.parameter.abs().sum().item<float>() > 0);

        // Per-example answers are the accuracy, example by example, and pair with another run on the same test set.
        var correct = Experiment.Correct(model, data, Split.Test);
        Assert.Equal(data.TestCount, correct.Length);
        Assert.Equal(result.TestAccuracy, correct.Count(c => c) / (double)correct.Length, 12);
        var floatRun = Experiment.Run(b, data, lora, null, out var floatModel);
        using var floatInner = floatModel.Base;
        using var __ = floatModel;
        var paired = PairedComparison.Of(Experiment.Correct(floatModel, data, Split.Test), correct);
        Assert.Equal(result.TestAccuracy - floatRun.TestAccuracy, paired.Difference, 12);
    }

    [Fact]
    public void ProgressGetsTheRunsLabel()
    {
        var b = bases.Encoder;
        var events = new List<TrainingEvent>();
        Experiment.Run(b, Data(b), Spec("my run", new LinearProbe(), steps: 2) with { EvalEvery = 1 }, new Collect(events));
        Assert.StartsWith("my run: Training", events.First(e => e.Kind == TrainingEventKind.Started).Message);
        Assert.Equal(2, events.Count(e => e.Kind == TrainingEventKind.Eval));
    }

    sealed class Collect(List<TrainingEvent> list) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => list.Add(value);
    }
}
