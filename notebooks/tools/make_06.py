#!/usr/bin/env python3
"""Writes notebooks/06-lora.ipynb (Polyglot C# format, no outputs; `kit run` fills them)."""
import json, pathlib, uuid

cells = []

def src(text):
    lines = text.strip("\n").split("\n")
    return [l + "\n" for l in lines[:-1]] + [lines[-1]]

def md(text):
    cells.append({"cell_type": "markdown", "id": uuid.uuid5(uuid.NAMESPACE_URL, f"nb06/{len(cells)}").hex[:8], "metadata": {}, "source": src(text)})

def code(text, tags=None):
    meta = {"polyglot_notebook": {"kernelName": "csharp"}, "dotnet_interactive": {"language": "csharp"}, "vscode": {"languageId": "polyglot-notebook"}}
    if tags:
        meta["tags"] = tags
    cells.append({"cell_type": "code", "execution_count": None, "id": uuid.uuid5(uuid.NAMESPACE_URL, f"nb06/{len(cells)}").hex[:8],
                  "metadata": meta, "outputs": [], "source": src(text)})

FINDINGS = pathlib.Path(__file__).resolve().parent / "findings_06.json"
F = json.loads(FINDINGS.read_text(encoding="utf-8")) if FINDINGS.exists() else {}

def finding(key, fallback="*(written after the full-profile run)*"):
    return F.get(key, fallback)

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

As in notebook 00: TorchSharp (CPU) and Plotly.NET from NuGet, the kit's library from its Debug build
(`dotnet build lib/PeftKit` first when running in VS Code), and `KitTorch.Setup` before anything touches `torch`.
""")
code("""
#r "nuget: TorchSharp-cpu, 0.107.0"
#r "nuget: Plotly.NET.CSharp, 0.14.0"
#r "../lib/PeftKit/bin/Debug/net10.0/PeftKit.dll"
using PeftKit;
using PeftKit.Setup;
using PeftKit.Models;
using PeftKit.Data;
using PeftKit.Training;
using PeftKit.Experiments;
using PeftKit.Methods.Lora;
using PeftKit.Methods.Baselines;
using TorchSharp;
using static TorchSharp.torch;
Console.WriteLine($"profile: {profile}, seed: {seed}");
KitTorch.Setup(seed: seed)
""")

md("""
The sizes follow from the profile. Every run trains the tiny pretrained **encoder** (`tiny-bert`: d = 256, 4 layers,
4 heads), because its attention has separate `query`, `key`, `value` and `attention.output.dense` matrices — the
W_q, W_k, W_v, W_o of the paper — while GPT-2's layout fuses W_q, W_k, W_v into one `c_attn`. The task is **T1:
SpamAssassin e-mail → ham / spam**, classified from the [CLS] position.
""")
code("""
bool quick = profile == "quick";
int steps        = quick ? 30 : 250;    // optimizer steps per run
int sweepSteps   = quick ? 30 : 200;    // per run in the rank sweep and the budget experiment
int maxLength    = quick ? 64 : 128;    // tokens per e-mail ([CLS] text [SEP], truncated)
int? maxTrain    = quick ? 512 : null;  // training e-mails (null: all)
int? maxEval     = quick ? 128 : null;  // dev / test e-mails (null: all)
int[] ranks      = quick ? [1, 8, 64] : [1, 2, 4, 8, 16, 32, 64];
int repeats      = quick ? 5 : 30;      // timing repeats for merged vs unmerged inference
Console.WriteLine($"{steps} steps per run ({sweepSteps} in the sweeps), {maxLength} tokens, ranks {string.Join(", ", ranks)}, {repeats} timing repeats");
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
using (var peft = Peft.Apply(bert.CreateModel(HeadKind.SequenceClassification, 2), lora8))
using (no_grad())
{
    peft.eval();
    var batch = data.EvalBatches(Split.Dev, 8).First();
    using var withLora = peft.forward(batch);
    Tensor plain;
    using (peft.DisableAdapters()) { using var o = peft.forward(batch); plain = o.Logits!.clone(); }
    Console.WriteLine($"logits (8 e-mails × 2 classes), max |LoRA − base| = {(withLora.Logits! - plain).abs().max().item<float>()}  equal bit for bit: {withLora.Logits!.equal(plain)}");
    var q0 = (LoraLinear)peft.Base.GetSubmodule("encoder.layer.0.attention.self.query");
    var ps = q0.named_parameters().ToDictionary(p => p.name, p => p.parameter);
    var a = ps["lora_A.default.weight"]; var b = ps["lora_B.default.weight"];
    Console.WriteLine($"layer 0 query: A {string.Join("×", a.shape)}, |A| max {a.abs().max().item<float>():F4} (bound 1/√d_in = {1 / Math.Sqrt(q0.InFeatures):F4}); B {string.Join("×", b.shape)}, ‖B‖ = {b.norm().item<float>()}; s = α/r = {lora8.Scaling}");
    HTML(peft.Report().ToHtml(trainableOnly: true))
}
""")

md("""
The table lists only the trainable tensors: eight `lora_A`/`lora_B` pairs (query and value in 4 layers) and the fresh
classification head, which trains with every method on a classification task (the reference library's
`modules_to_save`).

## What LoRA costs in parameters

r·(d_in + d_out) per adapted matrix. On the real GPT-2-small and BERT-base shapes (random weights — counting only needs
shapes) and on the tiny encoder, with the adapter file actually written by `SaveAdapter` (adapter_model.safetensors:
float32 tensors plus a small JSON header). The classification head is left out here (`HeadKind.None`/LM head) so the
numbers are LoRA's alone; r = 8 on GPT-2's `c_attn` is the 294,912 PEFT.md quotes (12 · 8 · (768 + 2304)).
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
file is 4 bytes per trainable number plus a header of a few hundred bytes: about 1.1 MiB for GPT-2 small at r = 8
against 475 MiB for a full copy of the model.

## Training: LoRA against a linear probe and full fine-tuning

Three runs on T1 with the same data, steps, batch size and seed (`Experiment.Run`: AdamW, linear warmup then linear
decay, gradient clipping 1.0, the best dev checkpoint kept, test accuracy of that checkpoint). Learning rates are the
usual ones for each method, not tuned here: 1e-3 for LoRA (the paper used 4e-4–5e-4 on RoBERTa with many more steps)
and the linear probe, 1e-4 for full fine-tuning (the usual fine-tuning rate; 1e-3 would destroy the pretrained
weights). Progress is printed at every evaluation.
""")
code("""
var progress = new NotebookProgress();
RunSpec Spec(string label, PeftConfig method, double lr, int? n = null) => new()
{
    Label = label, Method = method, Steps = n ?? steps, LearningRate = lr, BatchSize = 16,
    WarmupSteps = (n ?? steps) / 10, EvalEvery = Math.Max(10, (n ?? steps) / 5), Seed = seed,
};
var mainRuns = new List<RunResult>();
mainRuns.Add(Experiment.Run(bert, data, Spec("linear probe", new LinearProbe(), 1e-3), progress));
mainRuns.Add(Experiment.Run(bert, data, Spec("LoRA r=8 (query, value)", lora8, 1e-3), progress, out var loraModel));
mainRuns.Add(Experiment.Run(bert, data, Spec("full fine-tuning", new FullFineTune(), 1e-4), progress, out var fullModel));
HTML(ExperimentTable.Html(mainRuns))
""")
code("""
ExperimentCharts.DevAccuracyCurves(mainRuns, "Dev accuracy while training: LoRA trains 0.7% of the weights")
""")
code("""
ExperimentCharts.TrainingCurves(mainRuns, "Training loss: which method fits T1 fastest")
""")

md(f"""
{finding("main")}

## Experiment 1 — the rank sweep

**The paper's finding** (Hu et al., Table 6, GPT-3 175B on WikiSQL / MultiNLI): with W_q and W_v adapted, **r = 1
is already enough** — accuracy is flat from r = 1 to r = 64 — while W_q alone needs a larger r. This is the direct
evidence for a low intrinsic rank of ΔW.

We sweep r over {{1, 2, 4, 8, 16, 32, 64}} on `query` and `value` with α = 2r (so s = α/r = 2 for every rank: the
update's scale does not change with r, only its rank), everything else as above. Trainable parameters grow 64-fold
across the sweep.
""")
code("""
var sweep = new List<RunResult>();
var deltas = new Dictionary<string, Tensor>();   // ΔW of layer 3 query, for the low-rank experiment below
foreach (var r in ranks)
{
    var result = Experiment.Run(bert, data, Spec($"LoRA r={r}", new LoraConfig(new[] { "query", "value" }, rank: r, alpha: 2 * r), 1e-3, sweepSteps), progress, out var m);
    using (m)
    using (no_grad())
        deltas[$"LoRA r={r}"] = ((LoraLinear)m.Base.GetSubmodule("encoder.layer.3.attention.self.query")).DeltaWeight("default").detach().clone().MoveToOuterDisposeScope();
    sweep.Add(result);
}
HTML(ExperimentTable.Html(sweep))
""")
code("""
ExperimentCharts.Sweep("LoRA rank r (log scale)", sweep.Select((s, i) => ((double)ranks[i], s.TestAccuracy)), "test accuracy",
    "Rank sweep on query+value: is accuracy flat in r?", logX: true)
""")

md(f"""
{finding("rank")}

## Experiment 2 — which matrices, under a fixed parameter budget

**The paper's finding** (Hu et al., Table 5, GPT-3 175B, budget 18M parameters): spreading the budget over several
matrices at a low rank beats one matrix at a higher rank — W_q alone at r = 8 scored 70.4 / 91.0 (WikiSQL / MultiNLI),
W_q + W_v at r = 4 gave 73.7 / 91.3, all four at r = 2 gave 73.7 / 91.7; W_k alone was the weakest with W_q.

Our budget is the same in every row: 4 layers · 8 · (256 + 256) = 16,384 LoRA parameters.
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
    budget.Add(Experiment.Run(bert, data, Spec(label, new LoraConfig(targets, rank: r, alpha: 2 * r), 1e-3, sweepSteps), progress));
HTML(ExperimentTable.Html(budget))
""")
code("""
using Plotly.NET.CSharp;
var budgetChart = Chart.Column<double, string, string>(values: budget.Select(b => 100 * b.TestAccuracy).ToArray(), Keys: budget.Select(b => b.Label).ToArray())
    .WithXAxisStyle<string, string, string>(TitleText: "adapted matrices and rank (same 16,384 LoRA parameters each)")
    .WithYAxisStyle<double, double, string>(TitleText: "test accuracy (%)");
// Plotly.NET.CSharp 0.14 has no WithTitle; the F# core's Chart.withTitle returns a function to apply to the chart.
Plotly.NET.Chart.withTitle("Same budget, different matrices: does spreading it out win?", TitleFont: null).Invoke(budgetChart)
""")

md(f"""
{finding("budget")}

## Experiment 3 — merge: same outputs, no extra latency

**The paper's claim** (Section 4.1): merging W ← W₀ + (α/r)·B·A gives a model with *no additional inference latency*,
unlike adapters, which add sequential layers; an unmerged LoRA model pays for two extra thin matrix products per
adapted matrix.

On the trained LoRA model from above: logits unmerged, then `Merge()` (the merged logits must match to float
tolerance — (W₀ + ΔW)x and W₀x + ΔWx round differently), `Unmerge()` (W₀ must come back bit for bit: the layer kept a
copy), and `MergeAndUnload()`, which returns a plain `TransformerModel` with no LoRA modules left. Latency: one batch
of 32 e-mails and one single e-mail, forward pass only, in eval mode; unmerged and merged runs alternate so both see the
same machine load, and we report medians over the repeats.
""")
code("""
static double TimeMs(Action f) { var sw = System.Diagnostics.Stopwatch.StartNew(); f(); return sw.Elapsed.TotalMilliseconds; }
static double Median(List<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

loraModel.eval();
var big = data.EvalBatches(Split.Test, 32).First();
var single = data.EvalBatches(Split.Test, 1).First();
Tensor Logits(Module<ModelInput, ModelOutput> m, ModelInput x) { using var _ = no_grad(); using var o = m.call(x); return o.Logits!.detach().clone(); }

var before = Logits(loraModel, big);
var q3 = (LoraLinear)loraModel.Base.GetSubmodule("encoder.layer.3.attention.self.query");
var w0 = ((TorchSharp.Modules.Linear)q3.BaseLayer).weight!.detach().clone();
loraModel.Merge();
var merged = Logits(loraModel, big);
var mergeDiff = (merged - before).abs().max().item<float>();
loraModel.Unmerge();
bool restored = ((TorchSharp.Modules.Linear)q3.BaseLayer).weight!.equal(w0);
Console.WriteLine($"max |merged − unmerged| logits = {mergeDiff:E2} (logit scale {before.abs().max().item<float>():F2}); after Unmerge W₀ equal bit for bit: {restored}");

var timing = new Dictionary<string, List<double>> { ["unmerged, batch 32"] = [], ["merged, batch 32"] = [], ["unmerged, 1 e-mail"] = [], ["merged, 1 e-mail"] = [] };
for (int i = 0; i < repeats + 1; i++)
{
    foreach (var (name, x) in new[] { ("batch 32", big), ("1 e-mail", single) })
    {
        var tu = TimeMs(() => Logits(loraModel, x).Dispose());
        loraModel.Merge();
        var tm = TimeMs(() => Logits(loraModel, x).Dispose());
        loraModel.Unmerge();
        if (i == 0) continue;   // the first round warms up both paths
        timing[$"unmerged, {name}"].Add(tu);
        timing[$"merged, {name}"].Add(tm);
    }
}
HTML(Table(["forward pass", "median ms", "min ms", "max ms", "merged / unmerged"], timing.Select(kv => new[]
{
    kv.Key, Median(kv.Value).ToString("F2"), kv.Value.Min().ToString("F2"), kv.Value.Max().ToString("F2"),
    kv.Key.StartsWith("merged") ? (Median(kv.Value) / Median(timing["un" + kv.Key])).ToString("F3") : "",
})))
""")
code("""
var plain = loraModel.MergeAndUnload();   // a TransformerModel with W = W₀ + ΔW and no LoRA modules
var unloadedDiff = (Logits(plain, big) - before).abs().max().item<float>();
Console.WriteLine($"after MergeAndUnload: {plain.named_modules().Count(m => m.module is LoraLinear)} LoRA modules left, {plain.parameters().Sum(p => p.numel()):N0} parameters (the base's count plus the head), max |Δ logits| vs unmerged = {unloadedDiff:E2}");
var latencyChart = Chart.Column<double, string, string>(values: timing.Select(kv => Median(kv.Value)).ToArray(), Keys: timing.Keys.ToArray())
    .WithXAxisStyle<string, string, string>(TitleText: "forward pass")
    .WithYAxisStyle<double, double, string>(TitleText: "median latency (ms)");
Plotly.NET.Chart.withTitle("Merged LoRA runs at the base model's speed; unmerged pays for B·A·x", TitleFont: null).Invoke(latencyChart)
""")

md(f"""
{finding("merge")}

## Experiment 4 — the singular values of ΔW: the low-rank hypothesis, seen

**The paper's finding** (Section 7): the update a task needs has a very low intrinsic rank — the top singular
directions of ΔW learned with r = 8 and r = 64 overlap strongly, and a few directions carry most of it.

Here we take layer 3's `query` matrix (256 × 256) and compute the singular values of four matrices: the update full
fine-tuning made (ΔW = W_fine-tuned − W₀; it was free to use all 256 directions), LoRA's ΔW = (α/r)·B·A at r = 64 and
r = 8 from the rank sweep, and — as the "no structure" reference — a random Gaussian matrix of the same shape. The
chart shows the cumulative share of ‖ΔW‖²_F (the "energy", Σσᵢ²) in the top k singular values.
""")
code("""
Tensor W(TransformerModel m) => ((TorchSharp.Modules.Linear)m.GetSubmodule("encoder.layer.3.attention.self.query")).weight!;
using (var fresh = bert.CreateModel(HeadKind.SequenceClassification, 2))
using (no_grad())
    deltas["full fine-tuning"] = (W(fullModel.Base) - W(fresh)).detach().clone();
deltas["random Gaussian"] = randn(256, 256, generator: new Generator(seed));
var spectra = new List<(string name, double[] energy, double[] sigma)>();
foreach (var (name, dw) in deltas.Where(kv => kv.Key is "full fine-tuning" or "random Gaussian" || kv.Key == $"LoRA r={ranks[^1]}" || kv.Key == "LoRA r=8"))
{
    using var s = linalg.svdvals(dw.to(ScalarType.Float64));
    var sigma = s.data<double>().ToArray();
    double total = sigma.Sum(v => v * v), run = 0;
    spectra.Add((name, sigma.Select(v => (run += v * v) / total).ToArray(), sigma));
}
int[] ks = [1, 2, 4, 8, 16, 64];
HTML(Table(["ΔW of layer 3 query", "‖ΔW‖_F", "‖ΔW‖_F / ‖W₀‖_F"].Concat(ks.Select(k => $"energy in top {k}")).Append("directions for 90 %").ToArray(),
    spectra.Select(s => new[] { s.name, Math.Sqrt(s.sigma.Sum(v => v * v)).ToString("G3"),
        s.name == "random Gaussian" ? "—" : (Math.Sqrt(s.sigma.Sum(v => v * v)) / W(fullModel.Base).norm().item<float>()).ToString("G3") }
        .Concat(ks.Select(k => (100 * s.energy[k - 1]).ToString("F1") + " %"))
        .Append((Array.FindIndex(s.energy, e => e >= 0.9) + 1).ToString()).ToArray())))
""")
code("""
var energyChart = Chart.Combine(spectra.Select(s => Chart.Line<int, double, string>(
        x: Enumerable.Range(1, s.energy.Length).ToArray(), y: s.energy.Select(e => 100 * e).ToArray(), Name: s.name)))
    .WithXAxisStyle<double, double, string>(TitleText: "number of top singular values k (log scale)", AxisType: Plotly.NET.StyleParam.AxisType.Log)
    .WithYAxisStyle<double, double, string>(TitleText: "share of ‖ΔW‖²_F in the top k (%)");
Plotly.NET.Chart.withTitle("Energy of ΔW in its top-k singular values (layer 3 query): higher and further left = lower rank", TitleFont: null).Invoke(energyChart)
""")

md(f"""
{finding("svd")}

## Save and load the adapter

`SaveAdapter` writes the reference library's format: `adapter_config.json` (peft_type LORA, r, lora_alpha,
target_modules, …) and `adapter_model.safetensors` holding only the LoRA tensors (under the reference library's keys,
`base_model.model.encoder.layer.0.attention.self.query.lora_A.weight`, …) plus the classification head it trained.
Loading puts the adapter on a *fresh* copy of the base and must reproduce the trained model's logits exactly.
""")
code("""
var best = Experiment.Run(bert, data, Spec("LoRA r=8 (query, value)", lora8, 1e-3), null, out var trained);
var adapterDir = Path.Combine(Path.GetTempPath(), "peftkit-06-lora-adapter");
if (Directory.Exists(adapterDir)) Directory.Delete(adapterDir, recursive: true);
trained.SaveAdapter(adapterDir);
foreach (var f in new DirectoryInfo(adapterDir).GetFiles().OrderBy(f => f.Name))
    Console.WriteLine($"{f.Name,-28} {f.Length,10:N0} bytes");
Console.WriteLine($"base model.safetensors       {new FileInfo(Path.Combine(bert.Directory, "model.safetensors")).Length,10:N0} bytes (for comparison)");
Console.WriteLine(File.ReadAllText(Path.Combine(adapterDir, "adapter_config.json")));
""")
code("""
trained.eval();
using var reloaded = Peft.Load(bert.CreateModel(HeadKind.SequenceClassification, 2), adapterDir);
reloaded.eval();
var diff = (Logits(reloaded, big) - Logits(trained, big)).abs().max().item<float>();
Console.WriteLine($"reloaded adapter: max |Δ logits| vs the trained model = {diff} (identical: {diff == 0}); {reloaded.Report()}");
""")

md(f"""
## What we saw

{finding("summary")}

## Try it yourself

- Adapt the feed-forward matrices too: `new LoraConfig(new[] {{ "query", "key", "value", "attention.output.dense",
  "intermediate.dense", "output.dense" }}, rank: 8)` — the QLoRA paper found adapting every linear layer matters more
  than the rank.
- Turn on rsLoRA (`useRsLora: true`) and repeat the rank sweep with a fixed α: with α/r the large ranks get a tiny
  scale and learn slowly; α/√r keeps them moving.
- Use `LoraInit.Gaussian` for A, or add `dropout: 0.1` on the LoRA path, and compare dev curves.
- Regex targets: `@"encoder\\.layer\\.[23]\\..*\\.(query|value)"` adapts only the top two layers — how much is lost?
- Put two adapters on one base (`peft.AddAdapter("party", …)`, `SetActiveAdapter`) and switch tasks without
  reloading the model.

## On a GPU

`kit run notebooks/06-lora.ipynb --backend cuda` swaps the TorchSharp backend; the code is unchanged (`KitTorch.Setup`
picks the device). On a GPU the unmerged overhead looks different: the two thin products B·(A·x) are separate small
kernels, so at batch size 1 unmerged LoRA is often noticeably slower than the merged layer (kernel-launch bound) —
which is why the reference library's users ask about it — while merged inference is exactly the base model's cost.
At real sizes (GPT-2 small, r = 8 on c_attn: 294,912 trainable of 124.7M) the optimizer state shrinks from ~1.5 GiB
(AdamW moments and gradients for every weight) to ~3.4 MiB, and the frozen base can even be stored in 8 or 4 bits
(QLoRA) with the LoRA factors in float32 on top.
""")

nb = {
    "cells": cells,
    "metadata": {
        "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
        "language_info": {"name": "polyglot-notebook"},
        "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
out = pathlib.Path(__file__).resolve().parent.parent / "06-lora.ipynb"
out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
print(out)
