#!/usr/bin/env python3
"""Writes notebooks/tools/lr-sweep.ipynb: the learning-rate grid behind notebook 07's rates, selected on T1's dev set.

Run it with `dotnet build Kit.sln && kit run notebooks/tools/lr-sweep.ipynb` (about 20 minutes on two CPU cores for
the default grid; `-p 'grid=lora:1e-3,3e-3'` runs a part). Each run uses 07's data, seed, batch and warmup share;
only the dev accuracy is printed — the test set plays no part in choosing a rate.
"""
import os
from nbcells import Notebook, TOOLS_T1_SETUP

nb = Notebook("lr-sweep")
nb.md("""
# Learning-rate grid for notebook 07 (dev set only)

One line per (method, rate): best dev accuracy, the step it came from, dev accuracy at each evaluation, and the
mean training loss of the last 20 steps. The rates are each method's paper rate and its neighbours.
""")
GRID = ("full:1e-4,3e-4;linear-probe:3e-3,1e-2;bitfit:1e-3,3e-3,1e-2;ia3:3e-3,1e-2;adapter:1e-3,3e-3;"
        "prefix:3e-4,1e-3,3e-3;prompt:3e-2,1e-1;ptuning-v1:1e-3,3e-3,1e-2;ptuning-v2:5e-3,1e-2,3e-2;lora:5e-4,1e-3,3e-3")
nb.code(f'var steps = 200;\nvar grid = "{GRID}";', tags=["parameters"])
nb.code(TOOLS_T1_SETUP)
nb.code('''
foreach (var item in grid.Split(';', StringSplitOptions.RemoveEmptyEntries))
{
    var parts = item.Split(':');
    var method = parts[0];
    foreach (var rate in parts[1].Split(','))
    {
        double lr = double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture);
        var spec = new RunSpec
        {
            Label = $"{method}@{rate}", Method = Experiment.MethodConfig(method, gpt), Steps = steps, BatchSize = 16, LearningRate = lr,
            WarmupSteps = steps / 10, EvalEvery = 50, Seed = 42,
        };
        var result = Experiment.Run(gpt, data, spec);
        var curve = string.Join(" ", result.History.Evals.Select(e => $"{e.Metrics["accuracy"]:F3}"));
        var lastLoss = result.History.Steps.TakeLast(20).Average(s => s.Loss);
        Console.WriteLine($"{method,-13} lr {rate,-5} dev {result.DevAccuracy:F4} (step {result.BestStep}) curve [{curve}] last-20 loss {lastLoss:F3}");
    }
}
''')
nb.write("tools/lr-sweep.ipynb")
