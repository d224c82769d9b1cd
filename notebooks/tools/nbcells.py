"""Shared cell helpers for the notebook generator scripts make_NN.py: cell shapes, stable cell ids, the notebook file."""
import json, os, pathlib, uuid


class Notebook:
    def __init__(self, key):
        self.key = key
        self.cells = []

    @staticmethod
    def _src(text):
        lines = text.strip("\n").split("\n")
        return [l + "\n" for l in lines[:-1]] + [lines[-1]]

    def _id(self):
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{self.key}/{len(self.cells)}").hex[:8]

    def md(self, text):
        self.cells.append({"cell_type": "markdown", "id": self._id(), "metadata": {}, "source": self._src(text)})

    def code(self, text, tags=None):
        meta = {"polyglot_notebook": {"kernelName": "csharp"}, "dotnet_interactive": {"language": "csharp"},
                "vscode": {"languageId": "polyglot-notebook"}}
        if tags:
            meta["tags"] = tags
        self.cells.append({"cell_type": "code", "execution_count": None, "id": self._id(), "metadata": meta,
                           "outputs": [], "source": self._src(text)})

    def write(self, file_name):
        nb = {
            "cells": self.cells,
            "metadata": {
                "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                "language_info": {"name": "polyglot-notebook"},
                "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        # NB_OUT_DIR lets sync_markdown.py generate into a scratch folder instead of over an executed notebook.
        folder = os.environ.get("NB_OUT_DIR")
        out = (pathlib.Path(folder) if folder else pathlib.Path(__file__).resolve().parent.parent) / file_name
        out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(out)


# The first code cell of every notebook: packages, the library, KitTorch.Setup, the profile line the tests look for.
SETUP_MD = """
## Packages, the library and `KitTorch.Setup()`

As in notebook 00: the kit's library as the NuGet package `PeftKit` (`dotnet build lib/PeftKit` packs it and installs
it into your NuGet cache) and TorchSharp's CPU build, then `KitTorch.Setup`, which must run before anything touches
`torch` (it loads libtorch, seeds the generators, picks the device).
"""


def setup_code(usings):
    return "\n".join([
        '#r "nuget: TorchSharp-cpu, 0.107.0"',
        '#r "nuget: PeftKit, 0.1.0"',
        *[f"using {u};" for u in [*usings, "PeftKit.Charts"]],
        'var size = Profile.Parse(profile); // "quick" or "full"; anything else stops here and names the two',
        'Console.WriteLine($"profile: {size}, seed: {seed}");',
        "KitTorch.Setup(seed: seed)",
    ])


# Small helpers most notebooks define once: a byte formatter, an HTML table, and the size of a saved adapter.
HELPERS = """
static string Bytes(double b) => b >= 1 << 30 ? $"{b / (1 << 30):F2} GiB" : b >= 1 << 20 ? $"{b / (1 << 20):F2} MiB" : $"{b / 1024:F1} KiB";
static string Table(string[] head, IEnumerable<string[]> rows) =>
    "<table><thead><tr>" + string.Concat(head.Select(h => $"<th>{h}</th>")) + "</tr></thead><tbody>" +
    string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{c}</td>")) + "</tr>")) + "</tbody></table>";
// Bytes on disk of the adapter as SaveAdapter writes it (adapter_config.json + adapter_model.safetensors).
static long SavedBytes(PeftModel peft)
{
    var dir = Directory.CreateTempSubdirectory("peftkit-count-");
    try { peft.SaveAdapter(dir.FullName); return dir.GetFiles().Sum(f => f.Length); }
    finally { dir.Delete(recursive: true); }
}
"""


# Notebook 07's recipe, shared by 07 and its seed study so the two cannot drift apart (needs `gpt` loaded and
# `using PeftKit.Methods.Lora;`, e.g. tools_t1_setup("PeftKit.Methods.Lora")).
RECIPE_07 = r"""
// Learning rates chosen on dev (07's table); "lora-all" is LoRA r = 8 on every linear layer of the blocks.
double Rate(string method) => method switch
{
    "full" => 3e-4, "linear-probe" => 1e-2, "bitfit" => 1e-2, "ia3" => 1e-2, "adapter" => 1e-3, "prefix" => 1e-3,
    "prompt" => 3e-2, "ptuning-v1" => 1e-3, "ptuning-v2" => 1e-2, "lora" => 3e-3, "lora-all" => 3e-3,
    _ => throw new ArgumentException(method),
};
PeftConfig MethodOf(string method) => method == "lora-all"
    ? new LoraConfig(TargetModules.Regex(@"h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)"), rank: 8, alpha: 16)
    : Experiment.MethodConfig(method, gpt);
// The new 2-way head is a linear probe in every run, so it trains at the probe's rate (1e-2) whatever the method's own
// rate; P-Tuning v1 has no head.
RunSpec Recipe(string method, string label, int steps, int evalEvery, int seed) => new RunSpec
{
    Label = label, Method = MethodOf(method), Steps = steps, BatchSize = 16, LearningRate = Rate(method),
    HeadLearningRate = method == "ptuning-v1" ? null : 1e-2, WarmupSteps = steps / 10, EvalEvery = evalEvery, Seed = seed,
};
"""

# First code cell of the notebooks in notebooks/tools/ that repeat notebook 07's runs: the library, tiny-gpt and T1
# with 07's length, dev/test subsample and data seed.
def tools_t1_setup(*usings):
    """The setup cell, with extra `using` namespaces after the kit's own."""
    extra = "".join(f"using {u};\n" for u in usings)
    return """
#r "nuget: TorchSharp-cpu, 0.107.0"
#r "nuget: PeftKit, 0.1.0"
using PeftKit;
using PeftKit.Setup;
using PeftKit.Data;
using PeftKit.Training;
using PeftKit.Experiments;
""" + extra + """KitTorch.Setup(seed: 42);
var gpt = TinyBase.Load("tiny-gpt");
var data = ClassificationData.Create(TaskName.SpamHam, gpt, maxLength: 64, maxTrain: null, maxEval: 400, seed: 42);   // as in notebook 07
"""


TOOLS_T1_SETUP = tools_t1_setup()
