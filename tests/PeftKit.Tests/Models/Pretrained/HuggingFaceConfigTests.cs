namespace PeftKit.Tests.Models.Pretrained;

/// <summary>The published config.json files of gpt2 and bert-base-uncased read as the kit's presets of the same shape.</summary>
public sealed class HuggingFaceConfigTests
{
    // openai-community/gpt2's config.json (no n_inner field: 4·n_embd).
    const string Gpt2Json = """
        {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1, "bos_token_id": 50256,
         "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2",
         "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1,
         "summary_activation": null, "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
         "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}}, "vocab_size": 50257}
        """;

    // google-bert/bert-base-uncased's config.json.
    const string BertJson = """
        {"architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false,
         "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
         "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
         "num_hidden_layers": 12, "pad_token_id": 0, "position_embedding_type": "absolute", "transformers_version": "4.6.0.dev0",
         "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}
        """;

    [Fact]
    public void PublishedConfigsReadAsTheKitsPresets()
    {
        Assert.Equal(TransformerConfig.Gpt2Small, HuggingFaceConfig.Parse(Gpt2Json));
        Assert.Equal(TransformerConfig.BertBase, HuggingFaceConfig.Parse(BertJson));
        Assert.Equal(3072, HuggingFaceConfig.Parse(Gpt2Json.Replace("\"n_embd\": 768,", "\"n_embd\": 768, \"n_inner\": null,")).IntermediateSize);
        Assert.Equal(0f, HuggingFaceConfig.Parse(BertJson, dropout: 0).Dropout);
    }

    [Fact]
    public void TheKitsOwnConfigFormatIsNotAHuggingFaceConfig()
    {
        // TransformerConfig.FromJson cannot read a Hugging Face file (the "MaxPositions must be positive") and
        // HuggingFaceConfig cannot read the kit's: each says what it expected.
        Assert.Throws<ArgumentOutOfRangeException>(() => TransformerConfig.FromJson(Gpt2Json));
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceConfig.Parse(TransformerConfig.TinyDecoder.ToJson()));
        Assert.Contains("has no \"model_type\"", e.Message);
        Assert.Contains("\"kind\"", e.Message);
        var wrongType = Assert.Throws<InvalidDataException>(() => HuggingFaceConfig.Parse(BertJson.Replace("\"hidden_size\": 768", "\"hidden_size\": \"768\"")));
        Assert.Contains("\"hidden_size\" should be an integer", wrongType.Message);
    }
}
