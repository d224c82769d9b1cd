using PeftKit.Models;
using PeftKit.Text;
using PeftKit.Training;

namespace PeftKit.Pretraining;

/// <summary>What a pretraining run produced. Owns <see cref="Model"/>; dispose the result to free it.</summary>
public sealed class PretrainResult : IDisposable
{
    /// <summary>The trained model (in eval mode).</summary>
    public required TransformerModel Model { get; init; }

    /// <summary>The compact tokenizer built from the training documents.</summary>
    public required CompactTokenizer Tokenizer { get; init; }

    /// <summary>The trainer's history.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>The figures written to results.json and the model card.</summary>
    public required PretrainFigures Figures { get; init; }

    /// <summary>Folder the files were written to.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>File names written into <see cref="OutputDirectory"/>.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["config.json", "model.safetensors", "tokenizer.json", "history.json", "results.json", "MODEL_CARD.md"];

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Dispose();
}
