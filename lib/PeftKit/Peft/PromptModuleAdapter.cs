using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit;

/// <summary>
/// Prompt-style methods keep their tensors in a module registered as <c>prompt_encoder.{adapter}</c> on the
/// <see cref="PeftModel"/> and plug it into the model's InputTransform or Prefix slot while enabled. What is saved is
/// the produced prompt, under the reference library's key <c>prompt_embeddings</c>.
/// </summary>
internal abstract class PromptModuleAdapter : PeftAdapter
{
    protected PromptModuleAdapter(PeftModel model, string name, PeftConfig config, Module module) : base(model, name, config)
    {
        PromptModule = module;
        model.AddPromptModule(name, module);
    }

    protected Module PromptModule { get; }

    internal override bool Owns(string parameterName) => parameterName.StartsWith($"prompt_encoder.{Name}.", StringComparison.Ordinal);

    internal override void Remove() => Model.RemovePromptModule(Name);

    /// <summary>The produced prompt or prefix, (n, …), detached.</summary>
    protected abstract Tensor Produced();

    /// <summary>The parameter the saved prompt loads into (after <see cref="PeftAdapter.PrepareForLoad"/>).</summary>
    protected abstract Parameter LoadParameter();

    internal override Dictionary<string, Tensor> StateToSave() => new() { ["prompt_embeddings"] = Produced() };

    internal override Dictionary<string, LoadTarget> LoadTargets() => new() { ["prompt_embeddings"] = LoadTarget.Into(LoadParameter()) };

    internal override void PrepareForLoad() => Consolidate();
}
