using PeftKit.Text;

namespace PeftKit.Models;

/// <summary>
/// What <see cref="TransformerModel.FromPretrained"/> returns: the model with its weights, the folder's tokenizer, the
/// configuration read from config.json and how the checkpoint's keys matched. <c>var (model, tokenizer) = …</c>
/// deconstructs it. Disposing it disposes the model.
/// </summary>
public sealed class PretrainedModel : IDisposable
{
    internal PretrainedModel(TransformerModel model, ITextTokenizer tokenizer, CheckpointFormat format, string folder,
        IReadOnlyList<string> weightFiles, CheckpointLoadReport loadReport, IReadOnlyList<string> notes)
    {
        Model = model;
        Tokenizer = tokenizer;
        Format = format;
        Folder = folder;
        WeightFiles = weightFiles;
        LoadReport = loadReport;
        Notes = notes;
    }

    /// <summary>The model in eval mode (dropout off, as Hugging Face's from_pretrained returns it); call <c>train()</c> before fine-tuning.</summary>
    public TransformerModel Model { get; }

    /// <summary>The tokenizer of the folder: <see cref="Gpt2BpeTokenizer"/>, <see cref="BertWordPieceTokenizer"/> or the kit's <see cref="CompactTokenizer"/>.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The configuration read from config.json (the same object as <c>Model.Config</c>).</summary>
    public TransformerConfig Config => Model.Config;

    /// <summary>The head picked from what the weights hold (see <see cref="TransformerModel.FromPretrained"/>).</summary>
    public HeadKind Head => Model.Head;

    /// <summary>Which kind of folder it was.</summary>
    public CheckpointFormat Format { get; }

    /// <summary>The folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The safetensors files the weights came from (one, or every shard of the index), as full paths.</summary>
    public IReadOnlyList<string> WeightFiles { get; }

    /// <summary>How the checkpoint's keys matched the model: loaded, skipped (tied copies, buffers, unused heads), missing.</summary>
    public CheckpointLoadReport LoadReport { get; }

    /// <summary>Things a caller should know that are not errors (e.g. a BertForMaskedLM file has no pooler, so <see cref="ModelOutput.Pooled"/> is not pretrained).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Deconstructs into the model and the tokenizer: <c>var (model, tokenizer) = TransformerModel.FromPretrained(dir);</c></summary>
    public void Deconstruct(out TransformerModel model, out ITextTokenizer tokenizer)
    {
        model = Model;
        tokenizer = Tokenizer;
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();

    /// <inheritdoc />
    public override string ToString() =>
        $"{Format} {Config.Kind} (d={Config.HiddenSize}, {Config.NumLayers} layers, head {Head}) from {Folder}: {LoadReport.Loaded.Count} tensors loaded";
}
