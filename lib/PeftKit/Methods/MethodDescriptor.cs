using System.Text.Json.Nodes;

namespace PeftKit.Methods;

/// <summary>
/// One method's identity, declared beside its configuration in the method's own folder and listed once in
/// <see cref="MethodCatalog"/>: everything outside the folder (reading adapter_config.json, <c>kit bench</c>, the
/// experiments, the notebooks) asks the catalog instead of switching on method names.
/// </summary>
/// <param name="Name">The kit's short name, as bench rows, experiment tables and the CLI write it ("lora").</param>
/// <param name="PeftType">The reference library's <c>peft_type</c> in adapter_config.json ("LORA").</param>
/// <param name="ConfigType">The configuration record that selects the method.</param>
/// <param name="ReadJson">Reads the method's fields of an adapter_config.json.</param>
/// <param name="Recipe">The configuration the bench and the experiments train with: kit defaults except where the method's folder says otherwise.</param>
/// <param name="LearningRate">
/// The learning rate the experiments train the method with on the tiny bases (chosen on dev by
/// notebooks/tools/lr-sweep.ipynb), for the method's own parameters; a new task head trains at the linear probe's rate.
/// Notebook 07 uses its own rates instead, from one search every method gets alike (notebooks/tools/lr-grid-07/).
/// </param>
/// <param name="Mergeable">Whether the method can be folded into the base weights (Merge, MergeAndUnload).</param>
/// <param name="ReadsLabelWords">Whether it classifies through the LM head's logits of label words (a <c>Verbalizer</c>) instead of a task head.</param>
/// <param name="CombinesMethods">
/// Whether it is a combination of other rows (the mix-and-match adapter): the side-by-side comparison of single methods
/// (<see cref="PeftKit.Experiments.Experiment.Methods"/>, notebook 07) leaves it out; notebook 09 compares it with its parts.
/// </param>
public sealed record MethodDescriptor(string Name, string PeftType, Type ConfigType, Func<JsonObject, PeftConfig> ReadJson,
    Func<MethodRecipeContext, PeftConfig> Recipe, double LearningRate, bool Mergeable = false, bool ReadsLabelWords = false, bool CombinesMethods = false);
