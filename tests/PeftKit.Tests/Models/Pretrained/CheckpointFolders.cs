using System.Text.Json.Nodes;
using PeftKit.IO;

namespace PeftKit.Tests.Models.Pretrained;

/// <summary>
/// Hugging Face-layout folders written from C# (the kit's own writer) for the error-path tests, which must not depend on
/// the Python reference: a tiny GPT-2 or BERT with config.json, weights (one file or an index and two shards) and tokenizer files.
/// </summary>
internal static class CheckpointFolders
{
    public static string Gpt2(string dir, Action<JsonObject>? editConfig = null, bool sharded = false)
    {
        Directory.CreateDirectory(dir);
        var c = TinyModels.Decoder;
        var config = new JsonObject
        {
            ["model_type"] = "gpt2", ["architectures"] = new JsonArray("GPT2LMHeadModel"), ["activation_function"] = "gelu_new",
            ["n_embd"] = c.HiddenSize, ["n_layer"] = c.NumLayers, ["n_head"] = c.NumHeads, ["n_positions"] = c.MaxPositions,
            ["n_inner"] = c.IntermediateSize, ["vocab_size"] = c.VocabSize, ["layer_norm_epsilon"] = 1e-5,
            ["resid_pdrop"] = 0.1, ["embd_pdrop"] = 0.1, ["attn_pdrop"] = 0.1, ["initializer_range"] = 0.02,
        };
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        using (var model = TinyModels.Create(ModelKind.Decoder)) Weights(dir, model, sharded);
        File.WriteAllText(Path.Combine(dir, "vocab.json"), """{"h":0,"i":1,"hi":2,"<|endoftext|>":3}""");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\nh i\n");
        return dir;
    }

    public static string Bert(string dir, Action<JsonObject>? editConfig = null)
    {
        Directory.CreateDirectory(dir);
        var c = TinyModels.Encoder;
        var config = new JsonObject
        {
            ["model_type"] = "bert", ["hidden_act"] = "gelu", ["hidden_size"] = c.HiddenSize, ["num_hidden_layers"] = c.NumLayers,
            ["num_attention_heads"] = c.NumHeads, ["intermediate_size"] = c.IntermediateSize,
            ["max_position_embeddings"] = c.MaxPositions, ["vocab_size"] = c.VocabSize, ["type_vocab_size"] = 2,
            ["layer_norm_eps"] = 1e-12, ["hidden_dropout_prob"] = 0.1, ["attention_probs_dropout_prob"] = 0.1,
        };
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        using (var model = TinyModels.Create(ModelKind.Encoder)) Weights(dir, model, sharded: false);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the"]);
        return dir;
    }

    static void Weights(string dir, TransformerModel model, bool sharded)
    {
        if (!sharded)
        {
            model.SaveSafetensors(Path.Combine(dir, "model.safetensors"));
            return;
        }
        var all = model.named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)).ToList();
        var map = new JsonObject();
        for (int s = 0; s < 2; s++)
        {
            var file = $"model-{s + 1:00000}-of-00002.safetensors";
            var part = all.Where((_, i) => i % 2 == s).ToList();
            Safetensors.Save(Path.Combine(dir, file), part);
            foreach (var (key, _) in part) map[key] = file;
        }
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), new JsonObject { ["weight_map"] = map }.ToJsonString());
    }
}
