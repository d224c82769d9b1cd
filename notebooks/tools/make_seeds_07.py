#!/usr/bin/env python3
"""Writes notebooks/tools/seeds-07.ipynb: notebook 07's runs repeated with other training seeds.

Notebook 07 trains every method once (seed 42). This notebook re-trains chosen methods with the same data (the same
400 dev / 400 test emails, subsampled with seed 42), budget and learning rates, changing only the training seed
(initialisation of the new parameters and the order of the batches), and prints dev and test accuracy per run and the
mean and spread per method — how much of 07's table is seed noise. Run: `dotnet build Kit.sln && kit run
notebooks/tools/seeds-07.ipynb` (about 2 minutes per run on two CPU cores). The committed outputs come from
`kit run notebooks/tools/seeds-07.ipynb -p seeds=43,44 --output …` (seed 42 is notebook 07's own run). The same
notebook with three times 07's budget is committed as seeds-07-1800-steps.ipynb (`-p steps=1800 -p
methods=lora-all,adapter,ptuning-v2 -p seeds=42`) and seeds-07-1800-steps-full.ipynb (`-p steps=1800 -p methods=full
-p seeds=42`): the methods whose papers claim parity with fine-tuning, and fine-tuning itself, trained longer; their
seeds 43 and 44 are seeds-07-1800-steps-seeds-43-44.ipynb (`-p steps=1800 -p methods=full,lora-all,adapter,ptuning-v2
-p seeds=43,44`, 5,362 s on two CPU cores), and LoRA on every linear layer at a lower rate for the long schedule is
seeds-07-1800-steps-lora-all-1e-3.ipynb (`-p steps=1800 -p methods=lora-all -p seeds=42,43,44 -p rate=1e-3`, 1,774 s);
P-Tuning v2 at a higher one is seeds-07-1800-steps-ptuning-v2-3e-2.ipynb (`-p methods=ptuning-v2 -p rate=3e-2`, 828 s),
and with other prompt lengths at that rate seeds-07-1800-steps-ptuning-v2-n5.ipynb, -n10.ipynb and -n40.ipynb
(`-p promptLength=5`, 1,332 s while sharing the CPU; `-p promptLength=10`, 821 s; `-p promptLength=40`, 889 s);
twice as long, seeds-07-3600-steps-ptuning-v2-3e-2.ipynb (`-p steps=3600 -p methods=ptuning-v2 -p rate=3e-2`,
1,958 s), and full fine-tuning as long for comparison, seeds-07-3600-steps-full.ipynb (`-p steps=3600 -p
methods=full`, 2,345 s).
The `rate` and `promptLength` parameters and the trained-parameter count in each run's line came last: the notebooks
committed before them ran this code without those lines (rate = 0 and promptLength = 0 are exactly that code).
"""
from nbcells import Notebook, tools_t1_setup, RECIPE_07

nb = Notebook("seeds-07")
nb.md("""
# Notebook 07's runs with other training seeds

Same data, budget, rates and head rate as notebook 07 (one recipe, `nbcells.RECIPE_07`); only `RunSpec.Seed` changes.
""")
nb.code('var steps = 600;\nvar methods = "full,linear-probe,bitfit,lora,lora-all,adapter,ptuning-v2";\nvar seeds = "42,43,44";\nvar rate = 0.0;   // > 0: this peak learning rate for every method instead of the recipe\'s (the head keeps 1e-2)\nvar promptLength = 0;   // > 0: this many virtual tokens for prefix, prompt and P-Tuning v2 instead of the method\'s default', tags=["parameters"])
nb.code(tools_t1_setup("PeftKit.Methods.Lora", "PeftKit.Methods.PrefixTuning", "PeftKit.Methods.PromptTuning",
                       "PeftKit.Methods.PTuningV2") + RECIPE_07 + r"""
// The same method with n virtual tokens (prompt positions per layer for prefix and P-Tuning v2).
PeftConfig WithPromptLength(PeftConfig method, int n) => method switch
{
    PrefixTuningConfig c => c with { NumVirtualTokens = n },
    PromptTuningConfig c => c with { NumVirtualTokens = n },
    PTuningV2Config c => c with { NumVirtualTokens = n },
    _ => throw new ArgumentException($"promptLength applies to prefix, prompt and ptuning-v2, not {Experiment.MethodName(method)}."),
};
""")
nb.code('''
var runs = new List<(string Method, int Seed, double Dev, double Test)>();
foreach (var method in methods.Split(','))
    foreach (var seed in seeds.Split(',').Select(int.Parse))
    {
        var spec = Recipe(method, $"{method} seed {seed}", steps, Math.Max(1, steps / 6), seed);
        if (rate > 0) spec = spec with { LearningRate = rate };
        if (promptLength > 0) spec = spec with { Method = WithPromptLength(spec.Method, promptLength) };
        var r = Experiment.Run(gpt, data, spec);
        runs.Add((method, seed, r.DevAccuracy, r.TestAccuracy));
        Console.WriteLine($"{method,-13} seed {seed}: dev {r.DevAccuracy:F4} test {r.TestAccuracy:F4} (best step {r.BestStep}, {r.TrainableParameters:N0} trained)");
    }
''')
nb.code('''
// Mean and sample standard deviation over seeds, per method.
static (double Mean, double Sd) Stats(IEnumerable<double> xs)
{
    var a = xs.ToArray();
    double m = a.Average();
    return (m, a.Length > 1 ? Math.Sqrt(a.Sum(x => (x - m) * (x - m)) / (a.Length - 1)) : double.NaN);
}
foreach (var g in runs.GroupBy(r => r.Method))
{
    var dev = Stats(g.Select(r => r.Dev));
    var test = Stats(g.Select(r => r.Test));
    Console.WriteLine($"{g.Key,-13} {g.Count()} seeds: dev {dev.Mean:F4} ± {dev.Sd:F4}, test {test.Mean:F4} ± {test.Sd:F4}");
}
''')
nb.write("tools/seeds-07.ipynb")
