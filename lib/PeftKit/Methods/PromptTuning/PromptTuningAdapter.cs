using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.PromptTuning;

/// <summary>A <see cref="SoftPrompt"/> plugged into the model's InputTransform slot while enabled.</summary>
internal sealed class PromptTuningAdapter : PromptModuleAdapter
{
    public PromptTuningAdapter(PeftModel model, string name, PromptTuningConfig config)
        : base(model, name, config, new SoftPrompt(config.NumVirtualTokens, model.BaseModel.Config.HiddenSize))
    {
        var words = model.BaseModel.WordEmbeddings.weight!;                // (V, d)
        long V = words.shape[0], n = config.NumVirtualTokens;
        using var _ = no_grad();
        var w = Prompt.Weight;
        switch (config.Init.Kind)
        {
            case PromptInitKind.Random:
                init.uniform_(w, -config.Init.Range, config.Init.Range);
                break;
            case PromptInitKind.SampledVocab:
                using (var ids = randint(0, V, [n], dtype: int64)) w.copy_(words.index_select(0, ids.to(words.device)));
                break;
            case PromptInitKind.Text:
                var given = config.Init.TokenIds!;
                if (given.FirstOrDefault(t => t < 0 || t >= V, -1) is var bad && bad >= 0)
                    throw new ArgumentException($"Prompt init token id {bad} is outside the model's vocabulary [0, {V}).");
                // Repeat the text's tokens until n are reached, then truncate (the reference library's TEXT init).
                var ids2 = Enumerable.Range(0, (int)n).Select(i => given[i % given.Count]).ToArray();
                using (var t = tensor(ids2, int64)) w.copy_(words.index_select(0, t.to(words.device)));
                break;
        }
        TorchSharp.ModuleExtensionMethods.to(TorchSharp.ModuleExtensionMethods.to(Prompt, words.dtype), words.device);
    }

    SoftPrompt Prompt => (SoftPrompt)PromptModule;

    internal override void SetEnabled(bool enabled)
    {
        if (enabled) Base.InputTransform = Prompt;
        else if (ReferenceEquals(Base.InputTransform, Prompt)) Base.InputTransform = null;
    }

    internal override void PrepareForLoad() { }

    protected override Tensor Produced() => Prompt.Weight.detach();

    protected override Parameter LoadParameter() => Prompt.Weight;
}
