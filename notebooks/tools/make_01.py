#!/usr/bin/env python3
"""Writes notebooks/01-adapter-tuning.ipynb (Polyglot C# format, no outputs; `kit run` fills them)."""
from nbcells import Notebook
import pathlib

nb = Notebook("nb01")
md, code = nb.md, nb.code

CONCLUSIONS = pathlib.Path(__file__).with_name("conclusions_01.md")

md("""
# 01 — Adapter tuning: small bottleneck layers inside a frozen transformer

**Houlsby et al. (2019), "Parameter-Efficient Transfer Learning for NLP"** (ICML) froze BERT and inserted two small
*bottleneck adapters* in every layer — one after the attention block's output projection, one after the feed-forward
block, each before the residual add and LayerNorm. Only the adapters (plus the LayerNorms and the task head) train.
Per task they stored 3.6% of BERT-large's parameters and came within 0.4 GLUE points of full fine-tuning (80.0 vs 80.4).

An adapter maps a sublayer's output h ∈ ℝ^d through a bottleneck of width r ≪ d and adds the result back:

  **h ← h + f(h W_down + b_down) W_up + b_up**,  W_down ∈ ℝ^{d×r}, W_up ∈ ℝ^{r×d}, f = GELU

Its own skip connection is the point: with W_up ≈ 0 the adapter is (almost) the identity, so at step 0 the network
computes exactly what the pretrained model computed, and training moves away from that only as far as the task needs.
Each adapter has 2dr + d + r parameters; Houlsby puts two per layer, **Pfeiffer et al. (2021)** only one (after the
feed-forward block) for half the cost.

In this notebook: the library code, the parameter cost on our tiny decoder and on GPT-2-small / BERT-base shapes,
training on a real task (T1: spam vs ham email) against a linear probe and full fine-tuning, three experiments from the
paper (bottleneck size, initialisation scale, Houlsby vs Pfeiffer placement), and saving/loading the adapter.
""")

md("""
## Parameters

`kit run notebooks/01-adapter-tuning.ipynb -p profile=quick` replaces these values (papermill's convention). *quick*
(about a minute on two cores) trains on a few hundred emails for a few dozen steps and runs shortened sweeps — enough to
see the code work, not to draw conclusions. *full* is what the committed outputs come from.
""")
code('var profile = "full";\nvar seed = 42;\nvar baseName = "tiny-gpt";', tags=["parameters"])

md("""
## Packages, the library and `KitTorch.Setup()`

In VS Code (Polyglot Notebooks) build the library first (`dotnet build lib/PeftKit`); under `kit run` the kit's own
PeftKit and TorchSharp are shared with the notebook. `KitTorch.Setup` loads libtorch, seeds the generators and picks
the device; it must run before anything touches `torch`.
""")
code("""
#r "nuget: TorchSharp-cpu, 0.107.0"
#r "nuget: PeftKit, 0.1.0"
using System.IO;
using PeftKit;
using PeftKit.Setup;
using PeftKit.Charts;
using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Training;
using PeftKit.Experiments;
using PeftKit.Methods.Adapters;
using PeftKit.Methods.Baselines;
using static TorchSharp.torch;
var size = Profile.Parse(profile); // "quick" or "full"; anything else stops here and names the two
Console.WriteLine($"profile: {size}, seed: {seed}, base: {baseName}");
KitTorch.Setup(seed: seed)
""")

md("""
The sizes each profile uses. Rows are cut to the first `maxLength` tokens of each email; `maxTrain` / `maxEval` are
deterministic random subsets of the training split and of dev and test.
""")
code("""
bool full = size.IsFull;
// The full sizes equal notebooks 03 and 07's, so the runs they share (the two baselines, Houlsby r = 64) can be compared.
int maxLength = full ? 64 : 48;
int? maxTrain = full ? null : 128;                 // null = the whole training split
int maxEval = full ? 400 : 64;
int steps = full ? 200 : 10, evalEvery = full ? 50 : 5, batchSize = 16;
int[] bottlenecks = full ? [8, 64, 256] : [8, 64];
double[] initStds = full ? [1e-3, 1e-2, 1.0] : [1e-3, 1.0];
Console.WriteLine($"maxLength {maxLength}, train {(maxTrain?.ToString() ?? "all")}, eval {maxEval}, {steps} steps of {batchSize}, dev accuracy every {evalEvery}");
Console.WriteLine($"bottleneck sweep r = {string.Join(", ", bottlenecks)}; init-std sweep = {string.Join(", ", initStds)}");
""")

md("""
## The library code

`AdapterConfig` is an immutable record validated at construction. `Peft.Apply(model, new AdapterConfig(...))` puts a
`BottleneckAdapterLayer` on each chosen sublayer output through the model's sublayer-adapter hook
(`SetSublayerAdapter(layer, Sublayer.Attention | Sublayer.FeedForward, module)`), freezes everything else, and marks
the adapters, the LayerNorms (`trainLayerNorms`, as in the paper) and the classification head as trainable. The whole
forward pass of one adapter (lib/PeftKit/Methods/Adapters/BottleneckAdapterLayer.cs):

```csharp
/// h (B, T, d) → h + up(act(down(h))) (B, T, d).
public override Tensor forward(Tensor h)
{
    if (_active is null) return h;
    var z = adapter_down[_active].call(h);                    // (B, T, r)
    z = _activation[_active] switch { AdapterActivation.Relu => functional.relu(z), AdapterActivation.Tanh => tanh(z), _ => functional.gelu(z) };
    return h + adapter_up[_active].call(z);                   // (B, T, d): the adapter's own skip connection
}
```

and its initialisation: both projections N(0, σ²) with σ = `initStd` (the paper's text says 1e-2, its code 1e-3; the
default here is 1e-3), biases 0, or `zeroUpProjection: true` for an exact identity at the start.

### Near-identity at initialisation, measured

The pretrained base with and without a fresh adapter, on the same dev batch: the largest change in the final hidden
states. With σ = 1e-3 the adapted network stays within a few 10⁻⁴ of the pretrained one (whose hidden states are
of size ~7); σ = 1e-2 moves it a hundred times more; with `zeroUpProjection` it is exactly the same; at σ = 1 it is a
different network before any training.
""")
code("""
var tinyBase = TinyBase.Load(baseName);
Console.WriteLine(tinyBase);
var data = ClassificationData.Create(TaskName.SpamHam, tinyBase, maxLength: maxLength, maxTrain: maxTrain, maxEval: maxEval, seed: seed);
var probe = data.EvalBatches(Split.Dev, 16).First();
foreach (var (label, config) in new (string, AdapterConfig)[]
{
    ("zero up-projection", new AdapterConfig(bottleneck: 64, zeroUpProjection: true)),
    ("initStd 1e-3 (default)", new AdapterConfig(bottleneck: 64, initStd: 1e-3)),
    ("initStd 1e-2 (paper text)", new AdapterConfig(bottleneck: 64, initStd: 1e-2)),
    ("initStd 1", new AdapterConfig(bottleneck: 64, initStd: 1.0)),
})
{
    manual_seed(seed);
    using var model = tinyBase.CreateModel(HeadKind.None);
    model.eval();
    using var before = model.forward(probe).HiddenStates;
    var peft = Peft.Apply(model, config);
    using var after = peft.forward(probe).HiddenStates;
    var mask = probe.AttentionMask!.unsqueeze(-1).to(float32);                     // (B, T, 1): real tokens only
    double maxDiff = ((after - before).abs() * mask).max().item<float>();
    double scale = (before.abs() * mask).max().item<float>();
    Console.WriteLine($"{label,-26} max |h_adapted − h_base| = {maxDiff:E2}   (largest |h| = {scale:F2})");
}
""")

md("""
## What it costs: parameters and file size

Counts come from the library (`peft.Report()`, the reference library's *trainable / all / %* line) and the adapter
file from `SaveAdapter` (safetensors, float32): they include the adapters, the LayerNorms and the 2-way head, which is
what a task has to store. The column *adapters only* is the closed form 2·L·(2dr + d + r) (Houlsby) or
L·(2dr + d + r) (Pfeiffer). GPT-2 small and BERT-base are built with random weights — only their shapes matter here.
""")
code("""
static string Table(string[] head, IEnumerable<string[]> rows) =>
    "<table><thead><tr>" + string.Concat(head.Select(h => $"<th>{h}</th>")) + "</tr></thead><tbody>" +
    string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{c}</td>")) + "</tr>")) + "</tbody></table>";
static string Bytes(double b) => b >= 1 << 20 ? $"{b / (1 << 20):F2} MiB" : $"{b / 1024:F1} KiB";

var costRows = new List<string[]>();
AdapterConfig[] costAdapters = [new(bottleneck: 8), new(bottleneck: 64), new(bottleneck: 64, placement: AdapterPlacement.Pfeiffer)];
foreach (var (name, config) in new[] { ($"{baseName} (d={tinyBase.Config.HiddenSize}, L={tinyBase.Config.NumLayers})", tinyBase.Config),
                                       ("GPT-2 small", TransformerConfig.Gpt2Small), ("BERT-base", TransformerConfig.BertBase) })
{
    using var model = new TransformerModel(config, HeadKind.SequenceClassification, 2);   // built once; adapters swapped in and out
    PeftModel? peft = null;
    for (int i = 0; i < costAdapters.Length; i++)
    {
        var adapter = costAdapters[i];
        if (peft is null) peft = Peft.Apply(model, adapter, $"a{i}");
        else { peft.AddAdapter($"a{i}", adapter); peft.SetActiveAdapter($"a{i}"); peft.DeleteAdapter($"a{i - 1}"); }
        var report = peft.Report();
        var dir = Directory.CreateTempSubdirectory("peftkit-nb01-cost-");
        peft.SaveAdapter(dir.FullName);
        long fileBytes = new FileInfo(Path.Combine(dir.FullName, "adapter_model.safetensors")).Length;
        dir.Delete(true);
        costRows.Add([name, $"{adapter.Placement} r={adapter.Bottleneck}", adapter.ParameterCount(config.HiddenSize, config.NumLayers).ToString("N0"),
            report.Trainable.ToString("N0"), report.Total.ToString("N0"), report.TrainablePercent.ToString("F2"), Bytes(fileBytes)]);
    }
}
HTML(Table(["model", "adapter", "adapters only (closed form)", "trainable (+ LayerNorms + head)", "total", "trainable %", "adapter file"], costRows))
""")

md("""
At GPT-2/BERT-base size an r = 64 Houlsby adapter set is about 2.4M parameters (≈2% of the model, a 9 MiB file instead
of a 420–500 MiB copy per task); r = 8 is between seven and eight times smaller. On the tiny base the same r is a much larger *share*,
because the adapter's 2dr grows with d while the model grows with d²: r = 64 is half of d = 256 here but a twelfth of
d = 768. Keep that in mind when reading the percentages below.

## The task: T1 spam vs ham

SpamAssassin emails (`data/t1-spam`, see data/README.md), label 1 = spam. The base is the kit's pretrained decoder
**tiny-gpt** (notebook 00); it reads the email and a new 2-way head classifies from the hidden state of its last
token, the way the reference library's GPT-2 sequence classifier does. (Houlsby et al. used BERT's [CLS]; our tiny
encoder is still on its masked-LM plateau — notebook 00 — and gives every method, full fine-tuning included, too little
to work with at this budget. `-p baseName=tiny-bert` runs the notebook on it.) The majority class is the baseline any
classifier must beat.
""")
code("""
Console.WriteLine($"{data.Task}: train {data.TrainCount:N0}, dev {data.DevCount:N0}, test {data.TestCount:N0}; labels {string.Join(", ", data.LabelNames)}");
Console.WriteLine($"majority-class accuracy: dev {data.MajorityAccuracy(Split.Dev):F3}, test {data.MajorityAccuracy(Split.Test):F3}");
""")

md("""
## Training the adapter, and the two baselines

Every run starts from the same pretrained weights, trains for the same number of steps with AdamW (warmup then linear
decay, gradient clipping at 1.0), measures dev accuracy every `evalEvery` steps, keeps the best dev checkpoint, and
reports test accuracy of that checkpoint. Learning rates are the usual ones per kind of method, fixed before any run
and not tuned on this task (the same as notebooks 03 and 07): 1e-3 for adapters (new small layers; Houlsby et al.
searched 3e-5 – 3e-3), 3e-3 for the linear probe (only the head), 3e-4 for full fine-tuning (every pretrained weight
moves).

The baselines: a **linear probe** (body frozen, only the last-token head trains — the floor) and **full fine-tuning** (every
weight trains — what the paper compares against).
""")
code("""
var progress = new NotebookProgress();
double adapterLr = 1e-3;
RunSpec Spec(string label, PeftConfig method, double lr, int? runSeed = null) => new()
{
    Label = label, Method = method, Steps = steps, BatchSize = batchSize, LearningRate = lr,
    WarmupSteps = Math.Max(1, steps / 10), EvalEvery = evalEvery, Seed = runSeed ?? seed,
};
var houlsby = Experiment.Run(tinyBase, data, Spec("Adapter Houlsby r=64", new AdapterConfig(bottleneck: 64), adapterLr), progress, out var trained);
""")
code("""
var baselines = Experiment.RunAll(tinyBase, data, new[]
{
    Spec("Linear probe", new LinearProbe(), 3e-3),
    Spec("Full fine-tuning", new FullFineTune(), 3e-4),
}, progress);
var mainRuns = new[] { baselines[0], houlsby, baselines[1] };
HTML(ExperimentTable.Html(mainRuns))
""")
code("""
ExperimentCharts.DevAccuracyCurves(mainRuns, "Dev accuracy while training: the adapter against the two baselines")
""")
code("""
ExperimentCharts.TrainingCurves(mainRuns, "Training loss: full fine-tuning and the adapter fit T1 much faster than a probe on a frozen body")
""")

md("""
## Experiment 1 — bottleneck size

**The paper's finding** (Houlsby et al. 2019, §3.6/Fig. 6 and the GLUE ablation): the bottleneck size matters little —
mean dev accuracy 86.2 / 85.8 / 85.7 for r = 8 / 64 / 256 on BERT-base GLUE — so small adapters suffice.

**Ours:** the same run with r swept (Houlsby placement, everything else fixed; r = 64 is the run above).
""")
code("""
var sweep = new List<RunResult>();
foreach (var r in bottlenecks)
    sweep.Add(r == 64 ? houlsby : Experiment.Run(tinyBase, data, Spec($"Adapter Houlsby r={r}", new AdapterConfig(bottleneck: r), adapterLr), progress));
HTML(ExperimentTable.Html(sweep))
""")
code("""
ExperimentCharts.Sweep("bottleneck width r (log scale)", sweep.Select((run, i) => ((double)bottlenecks[i], run.TestAccuracy)),
    "test accuracy (best dev checkpoint)", "Bottleneck size against accuracy: a flat line would reproduce the paper", logX: true)
""")

md("""
## Experiment 2 — initialisation scale

**The paper's finding** (Houlsby et al. 2019, §3.6, Fig. 6 right): with weights drawn from a zero-mean Gaussian,
performance is robust for standard deviations up to 1e-2 and degrades for larger ones (they went to 1), because a
large initialisation no longer starts the adapter near the identity.

**Ours:** r = 64, σ swept; the near-identity measurement above shows what σ does to the network at step 0.
""")
code("""
var inits = new List<RunResult>();
foreach (var std in initStds)
    inits.Add(std == 1e-3 ? houlsby : Experiment.Run(tinyBase, data, Spec($"Adapter r=64 σ={std:G}", new AdapterConfig(bottleneck: 64, initStd: std), adapterLr), progress));
HTML(ExperimentTable.Html(inits))
""")
code("""
ExperimentCharts.Sweep("initialisation std σ of W_down, W_up (log scale)", inits.Select((run, i) => (initStds[i], run.TestAccuracy)),
    "test accuracy (best dev checkpoint)", "Init scale against accuracy: the paper sees a drop above σ = 1e-2", logX: true)
""")

md("""
## Experiment 3 — Houlsby (two adapters per layer) vs Pfeiffer (one, after the feed-forward block)

**The finding** (Pfeiffer et al. 2021, AdapterFusion; also Houlsby et al.'s ablations, where removing adapters from
some layers barely hurt): a single adapter per layer after the feed-forward block does about as well as Houlsby's two,
for half the parameters. We compare at the same r (half the parameters) and at the same parameter budget (Pfeiffer
with r = 128).
""")
code("""
var placements = new List<RunResult> { houlsby };
placements.Add(Experiment.Run(tinyBase, data, Spec("Adapter Pfeiffer r=64", new AdapterConfig(bottleneck: 64, placement: AdapterPlacement.Pfeiffer), adapterLr), progress));
if (full) placements.Add(Experiment.Run(tinyBase, data, Spec("Adapter Pfeiffer r=128", new AdapterConfig(bottleneck: 128, placement: AdapterPlacement.Pfeiffer), adapterLr), progress));
HTML(ExperimentTable.Html(placements))
""")
code("""
ExperimentCharts.AccuracyVsParameters(mainRuns.Concat(sweep.Where(r => r != houlsby)).Concat(placements.Skip(1)),
    "Every run: test accuracy against trainable parameters (log scale)")
""")

md("""
## Saving and loading the adapter

`SaveAdapter` writes the reference library's layout: `adapter_config.json` and `adapter_model.safetensors` with only
the method's tensors (here the adapters, the LayerNorms and the head) — not the 4M frozen weights. Loading it onto a
*fresh* copy of the base (whose head we initialise from a different seed, to show the file replaces it) must give the
same outputs as the trained model.
""")
code("""
var adapterDir = Path.Combine(Path.GetTempPath(), $"peftkit-nb01-adapter-{Guid.NewGuid():N}");
trained.SaveAdapter(adapterDir);
foreach (var f in new DirectoryInfo(adapterDir).GetFiles().OrderBy(f => f.Name))
    Console.WriteLine($"{f.Name,-28} {f.Length,12:N0} bytes");
Console.WriteLine($"the base it needs: {new FileInfo(tinyBase.WeightsPath).Length,12:N0} bytes (stored once, shared by every task)");

manual_seed(seed + 1000);
var freshBase = tinyBase.CreateModel(HeadKind.SequenceClassification, data.LabelNames.Count);
var loaded = Peft.Load(freshBase, adapterDir);
trained.eval();
loaded.eval();
double worst = 0;
using (no_grad())
    foreach (var batch in data.EvalBatches(Split.Test, 64))
    {
        using var a = trained.forward(batch).Logits!;
        using var b = loaded.forward(batch).Logits!;
        worst = Math.Max(worst, (a - b).abs().max().item<float>());
    }
Console.WriteLine($"largest |logit difference| over the test set, trained vs loaded: {worst:E2}");
Console.WriteLine($"test accuracy trained {Experiment.Accuracy(trained, data, Split.Test):F4} vs loaded {Experiment.Accuracy(loaded, data, Split.Test):F4}");
Directory.Delete(adapterDir, true);
""")

md("""
## What the numbers say
""")
code("""
double Acc(RunResult r) => r.TestAccuracy;
Console.WriteLine($"majority {data.MajorityAccuracy(Split.Test):F3} | probe {Acc(baselines[0]):F3} | adapter r=64 {Acc(houlsby):F3} ({houlsby.TrainablePercent:F1}% trainable) | full {Acc(baselines[1]):F3}");
Console.WriteLine($"bottleneck: {string.Join(", ", sweep.Select((r, i) => $"r={bottlenecks[i]} {Acc(r):F3}"))}");
Console.WriteLine($"init std:   {string.Join(", ", inits.Select((r, i) => $"σ={initStds[i]:G} {Acc(r):F3}"))}");
Console.WriteLine($"placement:  {string.Join(", ", placements.Select(r => $"{r.Label} {Acc(r):F3} ({r.TrainableParameters:N0})"))}");
""")

md(CONCLUSIONS.read_text(encoding="utf-8") if CONCLUSIONS.exists() else """
*(Conclusions are written after the full-profile run.)*
""")

md("""
## Try it yourself

- Set `zeroUpProjection: true` and check the first dev accuracy equals the linear probe's starting point.
- Train adapters without the LayerNorms (`trainLayerNorms: false`): the paper found LayerNorm-only training loses
  3.5–4 points; what do adapters without LayerNorms lose here?
- Remove the adapters from the lower layers (write your own placement with `SetSublayerAdapter`) — Houlsby et al.
  found the lower layers' adapters matter least.
- Swap the task: `TaskName.SotuParty` (T2) is harder; does the gap between adapters and full fine-tuning widen?
- Run `-p baseName=tiny-bert`: adapters work the same way on the encoder (classification from [CLS]); see how little
  any method gets from our plateaued encoder at this budget.

## On a GPU

`kit run notebooks/01-adapter-tuning.ipynb --backend cuda` runs the same cells on CUDA (with the CUDA TorchSharp
backend installed). What changes is scale, not code: with GPT-2-small or BERT-base shapes
(`TransformerConfig.BertBase`, pretrained weights loaded with `LoadSafetensors`), full sequence lengths (512) and the
whole T1 training set for several epochs, adapters train ~2% of the weights, need AdamW state for only those, and a
step costs about as much as full fine-tuning's forward pass plus a cheaper backward (no weight gradients for the frozen
matrices). Expect the paper's picture there — adapters within a point of full fine-tuning — more than on this tiny
base, where every method is limited by a 4M-parameter model trained for minutes.
""")

nb.write("01-adapter-tuning.ipynb")
