#!/usr/bin/env python3
"""Writes notebooks/06-lora.ipynb (Polyglot C# format, no outputs; `kit run` fills them)."""
from nbcells import Notebook

nb = Notebook("nb06")
md, code = nb.md, nb.code

# Conclusions, written after reading the committed full-profile outputs (and re-checked whenever they change).
FINDINGS = {
    'main': '**What the table shows.** In 100 steps LoRA r = 8 (0.76 % of the weights) and full fine-tuning both learned T1: test 80.0 % and 82.5 % (dev 86.5 % and 87.5 %), against a majority answer of 73.0 % (78.0 % of dev). The linear probe did not: its best dev accuracy came at step 25 and is the all-ham answer (test 73.0 %) — the [CLS] vector of a masked-LM-pretrained encoder was never trained for anything (there is no next-sentence task here), so a linear layer on it alone finds little in 100 steps. LoRA is 2.5 points behind full fine-tuning, within one standard error (±2.8 on 200 test e-mails): consistent with the paper\'s "LoRA ≈ fine-tuning", though one seed on 200 e-mails cannot show it is equal. LoRA\'s step took 179 ms against 271 ms for full fine-tuning (0.66×); its optimizer state is 0.76 % of full fine-tuning\'s.',
    'rank': "**Our result:** on dev, accuracy rises from r = 1 (81.5 %) to r = 16 (88.5 %) and falls again at r = 32 and 64 (86.0 %, 82.5 %); on test every rank lands between 75.5 % and 81.5 %, all within about two standard errors (±2.8 each) of each other. So a low rank is enough here — r = 4 to 16 do as well as anything and r = 64 is no better — which is the paper's finding in direction; but r = 1 and r = 2 are a few points behind on both splits, where the paper found r = 1 already enough (on a 175B model). One seed, 100 steps: read the shape, not the points.",
    'budget': "**Our result — the paper's ordering reproduces.** With the same 16,384 LoRA parameters in every row, spreading them over all four matrices at r = 2 did best (dev 88.0 %, test 80.0 %), W_q + W_v at r = 4 next (85.5 %, 79.5 %), and every single matrix was worse: W_q alone, W_k alone and W_q + W_k stayed at the all-ham answer (dev 78.0 %, test 73.0 %), W_v alone and W_o alone barely moved (test 76.0 % and 74.0 %). The paper's Table 5 has the same shape — all four at r = 2 ≥ W_q + W_v > a single W_q or W_k — and, as there, adapting W_v matters more than W_q or W_k. The test differences among the top two are within noise; the gap to W_q / W_k alone (7 points) is not.",
    'merge': '**Our result — reproduces.** Merged and unmerged logits differ by at most 4.2e-7 (float32 rounding on logits of size ~1.3), `Unmerge` restored W₀ bit for bit, and `MergeAndUnload` left no LoRA module and the same logits. Merged inference took 0.94× the unmerged time for a batch of 32 (123 vs 131 ms, medians of 30) and 0.96× for one e-mail (7.97 vs 8.29 ms): the extra B·(A·x) products cost about 4–7 % on this small model (the maxima show a noisy machine), and merging removes that cost.',
    'svd': '**Our result — the low-rank hypothesis, seen.** Full fine-tuning was free to change layer 3\'s query matrix in all 256 directions, yet 3 singular directions hold 90 % of its update (72 % in the first alone, 94 % in the top 4), against 131 directions for a random matrix. LoRA\'s updates are even more concentrated: at r = 64 the top direction holds 98.6 % of the energy (r = 8: 99.9 %) — it could use 64 directions and used about one. Their top-4 subspaces overlap with full fine-tuning\'s by 0.19–0.27 and with each other by 0.17 (random subspaces: 0.015): 10–20 times chance, so LoRA found partly the same directions, but not "strongly" the same as in the paper. A caveat: LoRA\'s ΔW is far larger than full fine-tuning\'s (‖ΔW‖/‖W₀‖ = 1.74 at r = 64 and 0.56 at r = 8 vs 0.097), because it trains at 3e-3 and concentrates its change in one direction.',
    'summary': "- The mechanics hold exactly: identity at init (bit for bit), r·(d_in + d_out) parameters (294,912 for GPT-2 small's c_attn at r = 8), a 136 KB adapter file against a 17.4 MB copy of the model, a reload that reproduces the logits exactly, and a merge that matches to 4.2e-7 and removes the unmerged overhead (about 4–7 % here).\n- The accuracy experiments now say something: in 100 steps LoRA r = 8 reaches 80.0 % test against 82.5 % for full fine-tuning (within one standard error) while the linear probe stays at the majority answer; low ranks (4–16) are enough; and under a fixed budget, spreading LoRA over several attention matrices beats any single one, as in the paper's Table 5.\n- The low-rank hypothesis is visible even in this tiny model: full fine-tuning's ΔW puts 90 % of its energy in 3 of 256 directions.\n- One seed, 200 test e-mails, a weak encoder base (notebook 00): differences of a few points are noise; run it longer and with several seeds (see *On a GPU*) before relying on the finer ordering.",
}

def finding(key):
    return FINDINGS.get(key, "*(to be written after the full-profile run)*")

md("""
# 06 — LoRA: low-rank adaptation

**LoRA** (Hu, Shen, Wallis, Allen-Zhu, Li, Wang, Wang & Chen, *LoRA: Low-Rank Adaptation of Large Language Models*,
ICLR 2022, [arXiv:2106.09685](https://arxiv.org/abs/2106.09685)) freezes a pretrained weight matrix W₀ ∈ ℝ^{d_out×d_in}
and learns its update as a product of two thin matrices:

$$h = W_0 x + \\Delta W x = W_0 x + \\frac{\\alpha}{r}\\, B A x, \\qquad A \\in \\mathbb{R}^{r\\times d_{in}},\\; B \\in \\mathbb{R}^{d_{out}\\times r},\\; r \\ll \\min(d_{in}, d_{out}).$$

- **Why it can work.** The paper's hypothesis: the change a task needs, ΔW, has a low *intrinsic rank*, so a rank-r
  product captures it. Per adapted matrix LoRA trains r·(d_in + d_out) numbers instead of d_in·d_out.
- **Init.** A is random (Kaiming-uniform in the official code and the reference library, Gaussian in the paper) and
  **B = 0**, so ΔW = 0 and the model starts *exactly* as the pretrained one.
- **Scaling.** α/r keeps the size of the update roughly independent of r when r changes (the paper sets α once and
  does not tune it). *rsLoRA* (Kalajdzievski 2023) uses α/√r instead, which keeps learning stable at large r.
- **No inference cost.** After training, W ← W₀ + (α/r)·B·A folds the update into the weight: the deployed model has
  the original shape and speed. Subtracting it again gives W₀ back, so one base can serve many tasks.
- **Where.** The paper adapts the attention projections W_q, W_k, W_v, W_o (mostly W_q and W_v); the feed-forward
  matrices can be adapted too.

This notebook: the library code, the identity at init, parameter counts (tiny model, GPT-2 small, BERT-base), LoRA
against a linear probe and full fine-tuning on a real task, and four experiments from the paper — the rank sweep, which
matrices to adapt under a fixed budget, merged vs unmerged inference, and the singular values of ΔW (the low-rank
hypothesis, seen).
""")

md("""
## Parameters

`kit run notebooks/06-lora.ipynb -p profile=quick` replaces these values (papermill's convention). `quick` trains a
handful of short runs on a subsample (about a minute on 2 CPU cores, for the tests); `full` is what the committed
outputs come from (about 8 minutes of CPU).
""")
code('var profile = "full";\nvar seed = 42;', tags=["parameters"])

md("""
## Packages, the library and `KitTorch.Setup()`

As in notebook 00: the kit's library as the NuGet package `PeftKit` (`dotnet build lib/PeftKit` packs it and installs
it into your NuGet cache) and TorchSharp's CPU build, then `KitTorch.Setup` before anything touches `torch`.
""")
code("""
#r "nuget: TorchSharp-cpu, 0.107.0"
#r "nuget: PeftKit, 0.1.0"
using PeftKit;
using PeftKit.Setup;
using PeftKit.Charts;
using PeftKit.Models;
using PeftKit.Data;
using PeftKit.Training;
using PeftKit.Experiments;
using PeftKit.Methods.Lora;
using PeftKit.Methods.Baselines;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;
var size = Profile.Parse(profile); // "quick" or "full"; anything else stops here and names the two
Console.WriteLine($"profile: {size}, seed: {seed}");
KitTorch.Setup(seed: seed)
""")

md("""
The sizes follow from the profile. Every run trains the tiny pretrained **encoder** (`tiny-bert`: d = 256, 4 layers,
4 heads), because its attention has separate `query`, `key`, `value` and `attention.output.dense` matrices — the
W_q, W_k, W_v, W_o of the paper — while GPT-2's layout fuses W_q, W_k, W_v into one `c_attn`. The task is **T1:
SpamAssassin e-mail → ham / spam**, classified from the [CLS] position.
""")
code("""
bool quick = size.IsQuick;
int steps        = quick ? 20 : 100;    // optimizer steps per run (every run, so equal specs give equal results and are reused)
int maxLength    = quick ? 48 : 64;     // tokens per e-mail ([CLS] text [SEP], truncated)
int? maxTrain    = quick ? 256 : null;  // training e-mails (null: all 4,344)
int maxEval      = quick ? 64 : 200;    // dev and test e-mails each (a fixed random subsample)
int[] ranks      = quick ? [1, 8] : [1, 2, 4, 8, 16, 32, 64];
int repeats      = quick ? 5 : 30;      // timing repeats for merged vs unmerged inference
Console.WriteLine($"{steps} steps per run, {maxLength} tokens per e-mail, ranks {string.Join(", ", ranks)}, {repeats} timing repeats");
""")

md("""
## The library code

`LoraConfig` says where and how (`lib/PeftKit/Methods/Lora/LoraConfig.cs`); `Peft.Apply` replaces every matching
`Linear` (or GPT-2 `Conv1D`) with a `LoraLinear` that holds the frozen layer as `base_layer` and the two factors as
`lora_A.default` (r, d_in) and `lora_B.default` (d_out, r) — the reference library's names, so saved adapters use its
keys. The forward pass and the merge are these lines of `LoraLinear.cs`:

```csharp
// y = W₀x + s·B·A·dropout(x), (…, in) → (…, out). Merged or no active adapter: W x only.
public override Tensor forward(Tensor x)
{
    var result = base_layer.call(x);                                                    // (…, out)
    if (_active is null || _merged is not null) return result;
    var h = lora_A[_active].call(lora_dropout[_active].call(x));                      // (…, r)
    return result.add_(lora_B[_active].call(h).mul_(_scaling[_active]));              // (…, out)
}

internal void Merge(string name)
{
    var w = Weight;
    _unmergedWeight = w.detach().clone();   // kept so Unmerge restores W₀ bit for bit ((W+Δ)−Δ ≠ W in float)
    using var delta = DeltaWeight(name);    // s·B·A, (out, in)
    w.add_(FanInFanOut ? delta.t() : delta); // GPT-2's Conv1D stores W as (in, out)
    _merged = name;
}
```

Initialisation (`AddAdapter`): `kaiming_uniform_(A, a: √5)`, i.e. A ~ U(−1/√d_in, 1/√d_in), and `B.zero_()`.
The scaling s is `LoraConfig.Scaling`: α/r, or α/√r with `useRsLora: true`.

Targets are chosen **by name** (a list: each entry matches a module's full dotted name or a dotted suffix, e.g.
`["query", "value"]`) or **by a regular expression** over the full name (a single string). A name that matches nothing
is an error that lists the modules you could have meant — the reference library's most-asked question is "target
modules not found".
""")
code("""
var bert = TinyBase.Load("tiny-bert");
Console.WriteLine($"{bert.Name}: {bert.Config.HiddenSize} wide, {bert.Config.NumLayers} layers, {bert.Config.BodyParameterCount:N0} parameters");
using (var probe = bert.CreateModel(HeadKind.SequenceClassification, 2))
{
    Console.WriteLine("Linear layers: " + string.Join(", ", probe.LinearModuleNames().Where(n => n.StartsWith("encoder.layer.0."))) + ", … (and the same in layers 1–3)");
    foreach (var targets in new TargetModules[] { new[] { "query", "value" }, @"encoder\\.layer\\.[23]\\.attention\\.self\\.(query|value)", new[] { "querry" } })
    {
        try
        {
            var picked = targets.Resolve(probe.LinearModuleNames(), "LoRA");
            Console.WriteLine($"{targets} → {picked.Count} modules: {string.Join(", ", picked)}");
        }
        catch (ArgumentException e) { Console.WriteLine($"{targets} → ArgumentException: {e.Message[..Math.Min(e.Message.Length, 260)]}…"); }
    }
}
""")

md("""
## Identity at init: B = 0 means the model starts unchanged

We put LoRA (r = 8 on `query` and `value`) on the pretrained encoder and compare its logits with the adapter enabled
and disabled (`DisableAdapters()` runs the plain base) on a batch of real e-mails. Because B = 0, ΔW = (α/r)·B·A is
exactly the zero matrix, so the two must agree **bit for bit** — not just to float tolerance. A is not zero: it is
the random direction B will learn to use.
""")
code("""
var data = ClassificationData.Create(TaskName.SpamHam, bert, maxLength: maxLength, maxTrain: maxTrain, maxEval: maxEval, seed: seed);
Console.WriteLine($"T1 {string.Join("/", data.LabelNames)}: {data.TrainCount:N0} train, {data.DevCount:N0} dev, {data.TestCount:N0} test; majority class = {data.MajorityAccuracy(Split.Test):P1} of test");

var lora8 = new LoraConfig(new[] { "query", "value" }, rank: 8, alpha: 16);
string initTable;
using (var peft = Peft.Apply(bert.CreateModel(HeadKind.SequenceClassification, 2), lora8))
using (no_grad())
{
    peft.eval();
    var batch = data.EvalBatches(Split.Dev, 8).First();
    using var withLora = peft.forward(batch);
    Tensor plain;
    using (peft.DisableAdapters()) { using var o = peft.forward(batch); plain = o.Logits!.clone(); }
    Console.WriteLine($"logits (8 e-mails × 2 classes), max |LoRA − base| = {(withLora.Logits! - plain).abs().max().item<float>()}  equal bit for bit: {withLora.Logits!.eq(plain).all().item<bool>()}");
    var q0 = (LoraLinear)peft.Base.GetSubmodule("encoder.layer.0.attention.self.query");
    var ps = q0.named_parameters().ToDictionary(p => p.name, p => p.parameter);
    var a = ps["lora_A.default.weight"]; var b = ps["lora_B.default.weight"];
    Console.WriteLine($"layer 0 query: A {string.Join("×", a.shape)}, |A| max {a.abs().max().item<float>():F4} (bound 1/√d_in = {1 / Math.Sqrt(q0.InFeatures):F4}); B {string.Join("×", b.shape)}, ‖B‖ = {b.norm().item<float>()}; s = α/r = {lora8.Scaling}");
    initTable = peft.Report().ToHtml(trainableOnly: true);
}
HTML(initTable)
""")

md("""
The table lists only the trainable tensors: eight `lora_A`/`lora_B` pairs (query and value in 4 layers) and the fresh
classification head, which trains with every method on a classification task (the reference library's
`modules_to_save`).

## What LoRA costs in parameters

r·(d_in + d_out) per adapted matrix. On the real GPT-2-small and BERT-base shapes (random weights — counting only needs
shapes) and on the tiny encoder, with the adapter file actually written by `SaveAdapter` (adapter_model.safetensors:
float32 tensors plus a small JSON header). The classification head is left out here (`HeadKind.None`/LM head) so the
numbers are LoRA's alone; r = 8 on GPT-2's `c_attn` is the 294,912 `docs/methods.md` derives (12 · 8 · (768 + 2304)).
""")
code("""
static string Bytes(double b) => b >= 1 << 30 ? $"{b / (1 << 30):F2} GiB" : b >= 1 << 20 ? $"{b / (1 << 20):F1} MiB" : b >= 1 << 10 ? $"{b / 1024:F1} KiB" : $"{b:F0} B";
static string Table(string[] head, IEnumerable<string[]> rows) =>
    "<table><thead><tr>" + string.Concat(head.Select(h => $"<th>{h}</th>")) + "</tr></thead><tbody>" +
    string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{c}</td>")) + "</tr>")) + "</tbody></table>";

var countRows = new List<string[]>();
(string model, Func<TransformerModel> make, string where, TargetModules targets, int r, long formula)[] countPlan =
[
    ("tiny-bert (d=256, L=4)", () => bert.CreateModel(HeadKind.None), "query, value", new[] { "query", "value" }, 8, 4 * 2 * 8 * (256 + 256)),
    ("tiny-bert (d=256, L=4)", () => bert.CreateModel(HeadKind.None), "all attention + FFN", new[] { "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense" }, 8, 4 * 8 * (4 * 512 + (256 + 1024) * 2)),
    ("GPT-2 small", () => new TransformerModel(TransformerConfig.Gpt2Small), "c_attn", new[] { "c_attn" }, 8, 12 * 8 * (768 + 3 * 768)),
    ("GPT-2 small", () => new TransformerModel(TransformerConfig.Gpt2Small), "c_attn", new[] { "c_attn" }, 1, 12 * 1 * (768 + 3 * 768)),
    ("GPT-2 small", () => new TransformerModel(TransformerConfig.Gpt2Small), "c_attn", new[] { "c_attn" }, 64, 12 * 64 * (768 + 3 * 768)),
    ("BERT-base", () => new TransformerModel(TransformerConfig.BertBase, HeadKind.None), "query, value", new[] { "query", "value" }, 8, 12 * 2 * 8 * (768 + 768)),
    ("BERT-base", () => new TransformerModel(TransformerConfig.BertBase, HeadKind.None), "all attention + FFN", new[] { "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense" }, 8, 12 * 8 * (4 * 1536 + (768 + 3072) * 2)),
];
if (quick) countPlan = [.. countPlan.Where(c => c.r == 8)];   // quick: skip the r = 1 / 64 rows (two GPT-2-small builds)
var countDir = Directory.CreateTempSubdirectory("peftkit-06-count-");
foreach (var (model, make, where, targets, r, formula) in countPlan)
{
    using var peft = Peft.Apply(make(), new LoraConfig(targets, rank: r, alpha: 2 * r));
    var rep = peft.Report();
    if (rep.Trainable != formula) throw new InvalidOperationException($"{model} {where} r={r}: library counts {rep.Trainable:N0}, r·(d_in + d_out) gives {formula:N0}");
    peft.SaveAdapter(countDir.FullName);
    long bytes = new FileInfo(Path.Combine(countDir.FullName, "adapter_model.safetensors")).Length;
    countRows.Add([model, where, r.ToString(), rep.Trainable.ToString("N0"), rep.Total.ToString("N0"), rep.TrainablePercent.ToString("F3") + " %", Bytes(bytes), $"{rep.Total / (double)rep.Trainable:N0}×"]);
}
countDir.Delete(recursive: true);
HTML(Table(["model", "adapted matrices", "r", "trainable", "total (incl. LoRA)", "trainable %", "adapter file", "total / trainable"], countRows))
""")

md("""
Every row was checked against r·(d_in + d_out) summed over the adapted matrices (the cell throws otherwise). The adapter
file is 4 bytes per trainable number plus a header of a few hundred bytes: about 1.1 MiB for GPT-2 small at r = 8,
against about 475 MiB for a full float32 copy of the model.

## Training: LoRA against a linear probe and full fine-tuning

Three runs on T1 with the same data, steps, batch size (16) and seed (`Experiment.Run`: AdamW, linear warmup then
linear decay, gradient clipping at 1.0, the best dev checkpoint kept, test accuracy of that checkpoint). Learning rates
are the ones notebook 07 chose on T1's dev set for the decoder (its learning-rate table): 3e-3 for LoRA, 1e-2 for the
linear probe, 3e-4 for full fine-tuning — not re-tuned for this encoder (an earlier run of this notebook, on the previous tiny-bert and with
1e-3 / 1e-3 / 1e-4, left LoRA and the probe at the all-ham answer after 100 steps). LoRA is r = 8 on `query` and `value`
with α = 16 (s = α/r = 2). Progress is printed at every evaluation.
""")
code("""
var progress = new NotebookProgress();
const double LoraRate = 3e-3;   // every LoRA run in this notebook
RunSpec Spec(string label, PeftConfig method, double lr) => new()
{
    Label = label, Method = method, Steps = steps, LearningRate = lr, BatchSize = 16,
    WarmupSteps = steps / 10, EvalEvery = Math.Max(10, steps / 4), Seed = seed,
};
var probeRun = Experiment.Run(bert, data, Spec("linear probe", new LinearProbe(), 1e-2), progress);
var loraRun = Experiment.Run(bert, data, Spec("LoRA r=8 (query, value)", lora8, LoraRate), progress, out var loraModel);
var fullRun = Experiment.Run(bert, data, Spec("full fine-tuning", new FullFineTune(), 3e-4), progress, out var fullModel);
var mainRuns = new[] { probeRun, loraRun, fullRun };
double se = Math.Sqrt(loraRun.TestAccuracy * (1 - loraRun.TestAccuracy) / data.TestCount);
Console.WriteLine($"test set: {data.TestCount} e-mails, so one standard error of an accuracy near {loraRun.TestAccuracy:P0} is ±{se:P1}");
HTML(ExperimentTable.Html(mainRuns))
""")
code("""
ExperimentCharts.DevAccuracyCurves(mainRuns, $"Dev accuracy while training: LoRA trains {loraRun.TrainablePercent:F2}% of the weights, full fine-tuning 100%")
""")
code("""
ExperimentCharts.TrainingCurves(mainRuns, "Training loss: how fast each method fits T1")
""")

md(f"""
{finding("main")}

## Save and load the adapter

`SaveAdapter` writes the reference library's format: `adapter_config.json` (peft_type `LORA`, `r`, `lora_alpha`,
`target_modules`, …) and `adapter_model.safetensors` holding only the LoRA tensors, under the reference library's keys
(`base_model.model.encoder.layer.0.attention.self.query.lora_A.weight`, …), plus the classification head it trained.
`Peft.Load` puts the adapter on a *fresh* copy of the pretrained base; its logits must equal the trained model's.
""")
code("""
Tensor Logits(nn.Module<ModelInput, ModelOutput> m, ModelInput x) { using var _ = no_grad(); using var o = m.call(x); return o.Logits!.detach().clone(); }

var adapterDir = Path.Combine(Path.GetTempPath(), $"peftkit-06-lora-{Environment.ProcessId}");
if (Directory.Exists(adapterDir)) Directory.Delete(adapterDir, recursive: true);
loraModel.SaveAdapter(adapterDir);
var files = new DirectoryInfo(adapterDir).GetFiles().OrderBy(f => f.Name).Select(f => new[] { f.Name, f.Length.ToString("N0") }).ToList();
files.Add(["(for comparison) the base's model.safetensors", new FileInfo(bert.WeightsPath).Length.ToString("N0")]);
Console.WriteLine(File.ReadAllText(Path.Combine(adapterDir, "adapter_config.json")));
HTML(Table(["file", "bytes"], files))
""")
code("""
var big = data.EvalBatches(Split.Test, 32).First();
var reloaded = Peft.Load(bert.CreateModel(HeadKind.SequenceClassification, 2), adapterDir);
reloaded.eval();
loraModel.eval();
var before = Logits(loraModel, big);
var reloadDiff = (Logits(reloaded, big) - before).abs().max().item<float>();
Console.WriteLine($"reloaded on a fresh base: max |Δ logits| vs the trained model = {reloadDiff} (identical: {reloadDiff == 0}); test accuracy {Experiment.Accuracy(reloaded, data, Split.Test):P1} vs {loraRun.TestAccuracy:P1}");
Console.WriteLine(reloaded.Report());
var reloadedBase = reloaded.Base; reloaded.Dispose(); reloadedBase.Dispose();
""")

md(f"""
## Experiment 1 — the rank sweep

**The paper's finding** (Hu et al., Table 6, GPT-3 175B on WikiSQL / MultiNLI): with W_q and W_v adapted, **r = 1 is
already enough** — accuracy is flat from r = 1 to r = 64 — while W_q alone needs a larger r. This is the direct
evidence for a low intrinsic rank of ΔW.

We sweep r on `query` and `value` with α = 2r, so s = α/r = 2 for every rank: the update's scale does not change with
r, only how many directions it may use. Everything else is as above; the r = 8 run *is* the LoRA run above (same spec
and seed, so it is reused rather than trained again). Trainable LoRA parameters grow 64-fold across the sweep.
""")
code("""
var sweep = new List<RunResult>();
var deltas = new Dictionary<string, Tensor>();   // ΔW of layer 3 query, for experiment 4
Tensor QueryDelta(PeftModel m) { using var _ = no_grad(); return ((LoraLinear)m.Base.GetSubmodule("encoder.layer.3.attention.self.query")).DeltaWeight("default").detach().clone(); }
foreach (var r in ranks)
{
    if (r == 8) { sweep.Add(loraRun with { Label = "LoRA r=8" }); deltas["LoRA r=8"] = QueryDelta(loraModel); continue; }
    var result = Experiment.Run(bert, data, Spec($"LoRA r={r}", new LoraConfig(new[] { "query", "value" }, rank: r, alpha: 2 * r), LoraRate), progress, out var m);
    deltas[$"LoRA r={r}"] = QueryDelta(m);
    var inner = m.Base; m.Dispose(); inner.Dispose();
    sweep.Add(result);
}
HTML(ExperimentTable.Html(sweep))
""")
code("""
ExperimentCharts.Sweep("LoRA rank r on query + value (log scale)", sweep.Select((s, i) => ((double)ranks[i], s.TestAccuracy)), "test accuracy",
    $"Rank sweep: test accuracy from r = 1 to r = {ranks[^1]} (one standard error ≈ ±{se:P1})", logX: true)
""")

md(f"""
{finding("rank")}

## Experiment 2 — which matrices, under a fixed parameter budget

**The paper's finding** (Hu et al., Table 5, GPT-3 175B, a budget of 18M parameters): spreading the budget over
several matrices at a lower rank beats one matrix at a higher rank. W_q alone at r = 8 scored 70.4 / 91.0
(WikiSQL / MultiNLI); W_q + W_v at r = 4 gave 73.7 / 91.3; all four at r = 2 gave 73.7 / 91.7; W_k alone (70.0 /
90.8) and W_q alone were the weakest.

Our budget is the same in every row: 4 layers · 8 · (256 + 256) = 16,384 LoRA parameters (the head's 514 on top).
The W_q + W_v row at r = 4 is the r = 4 run of the sweep.
""")
code("""
(string label, string[] targets, int r)[] budgetPlan =
[
    ("W_q, r=8", ["query"], 8),
    ("W_k, r=8", ["key"], 8),
    ("W_v, r=8", ["value"], 8),
    ("W_o, r=8", ["attention.output.dense"], 8),
    ("W_q + W_k, r=4", ["query", "key"], 4),
    ("W_q + W_v, r=4", ["query", "value"], 4),
    ("W_q, W_k, W_v, W_o, r=2", ["query", "key", "value", "attention.output.dense"], 2),
];
if (quick) budgetPlan = [budgetPlan[0], budgetPlan[5], budgetPlan[6]];
var budget = new List<RunResult>();
foreach (var (label, targets, r) in budgetPlan)
{
    var reuse = label == "W_q + W_v, r=4" ? sweep.FirstOrDefault(s => s.Label == "LoRA r=4") : null;
    budget.Add(reuse is not null ? reuse with { Label = label }
        : Experiment.Run(bert, data, Spec(label, new LoraConfig(targets, rank: r, alpha: 2 * r), LoraRate), progress));
}
HTML(ExperimentTable.Html(budget))
""")
code("""
Chart.Column(budget.Select(b => 100 * b.TestAccuracy), budget.Select(b => b.Label))
    .WithXAxis("adapted matrices and rank (16,384 LoRA parameters each)")
    .WithYAxis("test accuracy (%)", min: Math.Floor(100 * budget.Min(b => b.TestAccuracy)) - 5, max: 100)
    .WithTitle($"Same budget, different matrices: does spreading it out win? (±{se:P1} is one standard error)")
""")

md(f"""
{finding("budget")}

## Experiment 3 — merge: same outputs, no extra latency

**The paper's claim** (Section 4.1): merging W ← W₀ + (α/r)·B·A gives a model with *no additional inference latency*
(unlike adapter layers, which add sequential computation), while an unmerged LoRA model pays for two extra thin matrix
products per adapted matrix.

On the trained LoRA model: logits unmerged, then `Merge()` — the merged logits must match to float tolerance, not bit
for bit, because (W₀ + ΔW)x and W₀x + ΔWx round differently — then `Unmerge()`, after which W₀ must be back bit for
bit (the layer kept a copy), and `MergeAndUnload()`, which returns a plain `TransformerModel` with no LoRA modules.
Latency: a batch of 32 e-mails and a single e-mail, forward pass only, eval mode; unmerged and merged runs alternate so
both see the same machine load, and we report medians over the repeats.
""")
code("""
static double TimeMs(Action f) { var sw = System.Diagnostics.Stopwatch.StartNew(); f(); return sw.Elapsed.TotalMilliseconds; }
static double Median(List<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

var single = data.EvalBatches(Split.Test, 1).First();
var q3 = (TorchSharp.Modules.Linear)((LoraLinear)loraModel.Base.GetSubmodule("encoder.layer.3.attention.self.query")).BaseLayer;
var w0 = q3.weight!.detach().clone();
loraModel.Merge();
var mergeDiff = (Logits(loraModel, big) - before).abs().max().item<float>();
loraModel.Unmerge();
Console.WriteLine($"max |merged − unmerged| logits = {mergeDiff:E2} (largest logit {before.abs().max().item<float>():F2}); after Unmerge W₀ equal bit for bit: {q3.weight!.eq(w0).all().item<bool>()}");

var timing = new Dictionary<string, List<double>> { ["unmerged, batch of 32"] = [], ["merged, batch of 32"] = [], ["unmerged, 1 e-mail"] = [], ["merged, 1 e-mail"] = [] };
for (int i = 0; i <= repeats; i++)
    foreach (var (name, x) in new[] { ("batch of 32", big), ("1 e-mail", single) })
    {
        var tu = TimeMs(() => Logits(loraModel, x).Dispose());
        loraModel.Merge();
        var tm = TimeMs(() => Logits(loraModel, x).Dispose());
        loraModel.Unmerge();
        if (i == 0) continue;   // the first round warms up both paths
        timing[$"unmerged, {name}"].Add(tu);
        timing[$"merged, {name}"].Add(tm);
    }
HTML(Table(["forward pass", "median ms", "min ms", "max ms", "merged / unmerged (medians)"], timing.Select(kv => new[]
{
    kv.Key, Median(kv.Value).ToString("F2"), kv.Value.Min().ToString("F2"), kv.Value.Max().ToString("F2"),
    kv.Key.StartsWith("merged") ? (Median(kv.Value) / Median(timing["un" + kv.Key])).ToString("F3") : "",
})))
""")
code("""
var plain = loraModel.MergeAndUnload();   // a TransformerModel with W = W₀ + ΔW and no LoRA modules
var unloadedDiff = (Logits(plain, big) - before).abs().max().item<float>();
Console.WriteLine($"after MergeAndUnload: {plain.modules().Count(m => m is LoraLinear)} LoRA modules left, {plain.parameters().Sum(p => p.numel()):N0} parameters (the base's {bert.Config.BodyParameterCount:N0} plus the 514-parameter head), max |Δ logits| vs unmerged = {unloadedDiff:E2}");
Chart.Column(timing.Select(kv => Median(kv.Value)), timing.Keys)
    .WithXAxis("forward pass (eval mode, no gradients)")
    .WithYAxis($"median latency over {repeats} runs (ms)")
    .WithTitle("Merged vs unmerged LoRA: what the two extra thin products cost per forward pass")
""")

md(f"""
{finding("merge")}

## Experiment 4 — the singular values of ΔW: the low-rank hypothesis, seen

**The paper's finding** (Section 7): the update a task needs has a very low intrinsic rank — the top singular
directions of ΔW learned with r = 8 and with r = 64 overlap strongly, and a few directions carry most of the update.

We take layer 3's `query` matrix (256 × 256) and compute the singular values of: the update **full fine-tuning** made
(ΔW = W_fine-tuned − W₀; it was free to use all 256 directions), LoRA's ΔW = (α/r)·B·A at the largest and at r = 8 from
the sweep, and — as the "no structure" reference — a random Gaussian matrix of the same shape. The chart shows the
cumulative share of ‖ΔW‖²_F = Σσᵢ² (the "energy") in the top k singular values. We also measure how much the top-4
directions of two updates overlap: ‖U₁ᵀU₂‖²_F / 4 over their top-4 left singular vectors (1 = the same subspace; two
random 4-dimensional subspaces of ℝ²⁵⁶ overlap by about 4/256 ≈ 0.016).
""")
code("""
Tensor Wq(TransformerModel m) => ((TorchSharp.Modules.Linear)m.GetSubmodule("encoder.layer.3.attention.self.query")).weight!;
double w0Norm;
using (var fresh = bert.CreateModel(HeadKind.SequenceClassification, 2))
using (no_grad())
{
    deltas["full fine-tuning"] = (Wq(fullModel.Base) - Wq(fresh)).detach().clone();
    w0Norm = Wq(fresh).norm().item<float>();
}
deltas["random Gaussian"] = randn(256, 256, generator: new Generator((ulong)seed));
string[] shown = ["full fine-tuning", $"LoRA r={ranks[^1]}", "LoRA r=8", "random Gaussian"];
var spectra = shown.Select(name =>
{
    var (u, sv, _) = linalg.svd(deltas[name].to(ScalarType.Float64), fullMatrices: false);
    var sigma = sv.data<double>().ToArray();
    double total = sigma.Sum(v => v * v), run = 0;
    return (name, energy: sigma.Select(v => (run += v * v) / total).ToArray(), norm: Math.Sqrt(total), top4: u.narrow(1, 0, 4).clone());
}).ToList();
int[] ks = [1, 2, 4, 8, 16, 64];
HTML(Table(new[] { "ΔW of layer 3 query", "‖ΔW‖_F", "‖ΔW‖_F / ‖W₀‖_F" }.Concat(ks.Select(k => $"energy in top {k}")).Append("directions for 90 %").ToArray(),
    spectra.Select(s => new[] { s.name, s.norm.ToString("G3"), s.name == "random Gaussian" ? "—" : (s.norm / w0Norm).ToString("G3") }
        .Concat(ks.Select(k => (100 * s.energy[k - 1]).ToString("F1") + " %"))
        .Append((Array.FindIndex(s.energy, e => e >= 0.9) + 1).ToString()).ToArray())))
""")
code("""
double Overlap(Tensor a, Tensor b) => a.t().matmul(b).pow(2).sum().item<double>() / 4;   // ‖U₁ᵀU₂‖²_F / 4, U: (256, 4)
var pairs = new[] { (shown[0], shown[1]), (shown[0], shown[2]), (shown[1], shown[2]), (shown[0], shown[3]) };
foreach (var (a, b) in pairs)
    Console.WriteLine($"top-4 subspace overlap, {a} vs {b}: {Overlap(spectra.First(s => s.name == a).top4, spectra.First(s => s.name == b).top4):F3}");
Chart.Combine(spectra.Select(s => Chart.Line(Enumerable.Range(1, s.energy.Length).Select(k => (double)k), s.energy.Select(e => 100 * e), s.name)))
    .WithXAxis("top-k singular values (k, log scale)", log: true)
    .WithYAxis("share of ‖ΔW‖²_F in the top k (%)")
    .WithTitle("Energy of ΔW in its top-k singular values (layer 3 query): the further up-left, the lower the rank")
""")

md(f"""
{finding("svd")}

## What we saw

{finding("summary")}

## Try it yourself

- Adapt the feed-forward matrices too: `new LoraConfig(new[] {{ "query", "key", "value", "attention.output.dense",
  "intermediate.dense", "output.dense" }}, rank: 8)` — later work (QLoRA) found adapting every linear layer matters
  more than the rank.
- Repeat the rank sweep with a fixed α (say α = 8 for every r) with and without rsLoRA (`useRsLora: true`): with α/r
  the large ranks get a small scale and learn slowly; α/√r keeps them moving.
- Use `LoraInit.Gaussian` for A, or `dropout: 0.1` on the LoRA path, and compare the dev curves.
- Regex targets: `@"encoder\\.layer\\.[23]\\.attention\\.self\\.(query|value)"` adapts only the top two layers — how
  much accuracy does that cost?
- Put a second adapter on the same base (`peft.AddAdapter("party", config)`, `SetActiveAdapter("party")`) trained on
  T2 and switch tasks without reloading the model.
- Change the task to `TaskName.SotuParty` (T2), which is much harder for a 4-layer model: do the rank and budget
  experiments separate more?

## On a GPU

`kit run notebooks/06-lora.ipynb --backend cuda` swaps the TorchSharp backend; the code is unchanged (`KitTorch.Setup`
picks the device). What changes: the runs take seconds, so the full T1 training set, longer e-mails (maxLength 256) and
several seeds per configuration become affordable — which is what the rank and budget experiments need to resolve
differences of a point or less. The unmerged overhead also looks different: B·(A·x) adds small separate kernels, so at
batch size 1 unmerged LoRA can be noticeably slower than the merged layer (kernel-launch bound) — one reason users of
the reference library merge before serving — while merged inference is exactly the base model's cost. At real sizes
(GPT-2 small, r = 8 on `c_attn`: 294,912 trainable of 124.7M) the gradients and AdamW state shrink from about 1.4 GiB
to about 3.4 MiB, and the frozen base can even be stored in 8 or 4 bits (QLoRA) with the LoRA factors on top.
""")

nb.write("06-lora.ipynb")
