namespace PeftKit.Models;

/// <summary>Which kind of checkpoint folder <see cref="TransformerModel.FromPretrained"/> read.</summary>
public enum CheckpointFormat
{
    /// <summary>A Hugging Face GPT-2 folder: config.json with <c>"model_type": "gpt2"</c>, vocab.json + merges.txt.</summary>
    Gpt2,

    /// <summary>A Hugging Face BERT folder: config.json with <c>"model_type": "bert"</c>, vocab.txt (tokenizer_config.json optional).</summary>
    Bert,

    /// <summary>The kit's own folder (<c>kit pretrain</c>): config.json from <see cref="TransformerConfig.ToJson"/>, the compact tokenizer.json.</summary>
    PeftKit,
}
