using PeftKit.Models;

namespace PeftKit.Pretraining;

/// <summary>What to pretrain, how, and where to write it.</summary>
public sealed record PretrainRequest
{
    /// <summary>The kit's base model names: <c>tiny-gpt</c> (decoder, next-token) and <c>tiny-bert</c> (encoder, masked LM).</summary>
    public static IReadOnlyList<string> ModelNames { get; } = ["tiny-gpt", "tiny-bert"];

    /// <summary>Base model name, one of <see cref="ModelNames"/>.</summary>
    public required string ModelName
    {
        get;
        init => field = ModelNames.Contains(value) ? value
            : throw new ArgumentException($"Unknown model '{value}'; use {string.Join(" or ", ModelNames)}.", nameof(ModelName));
    }

    /// <summary>Run length and data slice.</summary>
    public required PretrainProfile Profile { get; init; }

    /// <summary>Folder to write config.json, model.safetensors, tokenizer.json, history.json, results.json and MODEL_CARD.md to.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Seed of the document split, initialisation, batch sampling, masking and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Overrides <see cref="PretrainProfile.Steps"/> when set.</summary>
    public int? Steps { get; init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "Steps must be at least 1."); }

    /// <summary>Share of positions the masked-LM objective selects during training (encoder only); null = the profile's
    /// <see cref="PretrainProfile.MaskRate"/>. Validation always scores BERT's 15%, so runs with different rates compare.</summary>
    public double? MaskRate { get; init => field = value is null or (> 0 and < 1) ? value : throw new ArgumentOutOfRangeException(nameof(MaskRate), value, "MaskRate must be in (0, 1), e.g. 0.15 or 0.4."); }

    /// <summary>Dropout during pretraining; null = the profile's <see cref="PretrainProfile.Dropout"/> or else the model
    /// configuration's. The saved config.json keeps the preset's dropout, which applies when the base is fine-tuned.</summary>
    public float? Dropout { get; init => field = value is null or (>= 0 and < 1) ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, "Dropout must be in [0, 1); use 0 to disable it."); }

    /// <summary>Peak learning rate; null = the profile's <see cref="PretrainProfile.LearningRate"/>.</summary>
    public double? LearningRate { get; init => field = value is null or (> 0 and < 1) ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "LearningRate must be in (0, 1), e.g. 1e-3."); }

    /// <summary>Linear warmup steps; null = the profile's <see cref="PretrainProfile.WarmupSteps"/>.</summary>
    public int? WarmupSteps { get; init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), value, "WarmupSteps must be 0 or more."); }

    /// <summary>tiny-bert: normalise before each sublayer (<see cref="TransformerConfig.PreLayerNorm"/>) instead of BERT's post-LN.</summary>
    public bool PreLayerNorm { get; init; }

    /// <summary>Data folder (null: <see cref="Data.DataRoot.Locate"/>).</summary>
    public string? DataRoot { get; init; }

    /// <summary>The command line that started the run, written to the model card.</summary>
    public string Command { get; init; } = "";

    /// <summary>The configuration trained: the named tiny preset, reshaped by the profile when it says so.</summary>
    public TransformerConfig ModelConfig
    {
        get
        {
            var preset = ModelName == "tiny-gpt" ? TransformerConfig.TinyDecoder : TransformerConfig.TinyEncoder with { PreLayerNorm = PreLayerNorm };
            return Profile.Shape is { } shape ? shape(preset) : preset;
        }
    }

    /// <summary>Masked-LM selection rate of the run.</summary>
    public double EffectiveMaskRate => MaskRate ?? Profile.MaskRate;

    /// <summary>Dropout of the run (the saved configuration keeps <see cref="ModelConfig"/>'s).</summary>
    public float EffectiveDropout => Dropout ?? Profile.Dropout ?? ModelConfig.Dropout;

    /// <summary>Peak learning rate of the run.</summary>
    public double EffectiveLearningRate => LearningRate ?? Profile.LearningRate;

    /// <summary>Warmup steps of the run.</summary>
    public int EffectiveWarmupSteps => WarmupSteps ?? Profile.WarmupSteps;

    /// <summary>Optimizer steps of the run.</summary>
    public int EffectiveSteps => Steps ?? Profile.Steps;
}
