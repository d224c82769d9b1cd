using PeftKit.IO;

namespace PeftKit.Tests.Models.Pretrained;

/// <summary>What FromPretrained says when a folder cannot be loaded: each message names what was wrong and what to do.</summary>
public sealed class FromPretrainedErrorTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("peftkit-pretrained-").FullName;

    public FromPretrainedErrorTests() => KitTorch.Setup();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    string Dir(string name) => Path.Combine(_root, name);

    [Fact]
    public void WellFormedFoldersLoadShardedOrNot()
    {
        using var single = TransformerModel.FromPretrained(CheckpointFolders.Gpt2(Dir("single")));
        using var sharded = TransformerModel.FromPretrained(CheckpointFolders.Gpt2(Dir("sharded"), sharded: true));
        Assert.Equal(2, sharded.WeightFiles.Count);
        Assert.Equal(single.LoadReport.Loaded.Order(), sharded.LoadReport.Loaded.Order());
        // Both hold TinyModels.Create(Decoder)'s weights: the same logits bit for bit.
        using var ids = TinyModels.Ids(2, 5, seed: 9);
        using var a = single.Model.forward(new ModelInput(ids));
        using var b = sharded.Model.forward(new ModelInput(ids));
        Assert.True(TinyModels.Same(a.Logits!, b.Logits!));
    }

    [Fact]
    public void UnsupportedModelTypeNamesTheTypesThatAreRead()
    {
        var dir = CheckpointFolders.Gpt2(Dir("llama"), c => c["model_type"] = "llama");
        var e = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(dir));
        Assert.Contains("model_type 'llama'", e.Message);
        Assert.Contains("gpt2 and bert", e.Message);
    }

    [Fact]
    public void UnsupportedFieldValuesAreRefusedNotIgnored()
    {
        var relu = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(CheckpointFolders.Gpt2(Dir("relu"), c => c["activation_function"] = "relu")));
        Assert.Contains("\"activation_function\" to relu", relu.Message);
        Assert.Contains("gelu_new", relu.Message);
        var approx = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(CheckpointFolders.Bert(Dir("gelu-new"), c => c["hidden_act"] = "gelu_new")));
        Assert.Contains("\"hidden_act\" to gelu_new", approx.Message);
        var relative = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(CheckpointFolders.Bert(Dir("relative"), c => c["position_embedding_type"] = "relative_key")));
        Assert.Contains("absolute position embeddings", relative.Message);
        var dropouts = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(CheckpointFolders.Bert(Dir("dropouts"), c => c["attention_probs_dropout_prob"] = 0.2)));
        Assert.Contains("Pass dropout:", dropouts.Message);
        using var chosen = TransformerModel.FromPretrained(Dir("dropouts"), dropout: 0.05f);
        Assert.Equal(0.05f, chosen.Config.Dropout);
        var missing = Assert.Throws<InvalidDataException>(() => TransformerModel.FromPretrained(CheckpointFolders.Gpt2(Dir("no-width"), c => c.Remove("n_embd"))));
        Assert.Contains("has no \"n_embd\"", missing.Message);
    }

    [Fact]
    public void MissingTokenizerFilesAreNamed()
    {
        var gpt = CheckpointFolders.Gpt2(Dir("gpt"));
        File.Delete(Path.Combine(gpt, "merges.txt"));
        var e = Assert.Throws<FileNotFoundException>(() => TransformerModel.FromPretrained(gpt));
        Assert.Contains("has no merges.txt", e.Message);
        Assert.Contains("vocab.json and merges.txt", e.Message);
        var bert = CheckpointFolders.Bert(Dir("bert"));
        File.Delete(Path.Combine(bert, "vocab.txt"));
        File.WriteAllText(Path.Combine(bert, "tokenizer.json"), "{}");
        var b = Assert.Throws<FileNotFoundException>(() => TransformerModel.FromPretrained(bert));
        Assert.Contains("has no vocab.txt", b.Message);
        Assert.Contains("only the fast tokenizer's tokenizer.json", b.Message);
    }

    [Fact]
    public void WeightsThatDoNotFitTheConfigFailTheStrictLoad()
    {
        // One layer more in config.json than in the file: the strict load lists the missing keys.
        var deeper = CheckpointFolders.Gpt2(Dir("deeper"), c => c["n_layer"] = 3);
        var e = Assert.Throws<SafetensorsException>(() => TransformerModel.FromPretrained(deeper));
        Assert.Contains("missing keys (12): h.2.", e.Message);
        Assert.Contains("Check the config matches the checkpoint", e.Message);
        // A wider vocabulary: the shape check names the tensor and both shapes.
        var wider = CheckpointFolders.Gpt2(Dir("wider"), c => c["vocab_size"] = 70);
        var s = Assert.Throws<SafetensorsException>(() => TransformerModel.FromPretrained(wider));
        Assert.Contains("'wte.weight'", s.Message);
        Assert.Contains("[61, 32]", s.Message);
        Assert.Contains("[70, 32]", s.Message);
    }

    [Fact]
    public void ShardedIndexNamingAMissingShardSaysWhich()
    {
        var dir = CheckpointFolders.Gpt2(Dir("shards"), sharded: true);
        File.Delete(Path.Combine(dir, "model-00002-of-00002.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => TransformerModel.FromPretrained(dir));
        Assert.Contains("names the shard 'model-00002-of-00002.safetensors'", e.Message);
        Assert.EndsWith("model-00002-of-00002.safetensors", e.FileName);
    }

    [Fact]
    public void MissingFolderConfigOrWeightsAreNamed()
    {
        Assert.Throws<DirectoryNotFoundException>(() => TransformerModel.FromPretrained(Dir("nowhere")));
        var noConfig = CheckpointFolders.Gpt2(Dir("no-config"));
        File.Delete(Path.Combine(noConfig, "config.json"));
        Assert.Contains("has no config.json", Assert.Throws<FileNotFoundException>(() => TransformerModel.FromPretrained(noConfig)).Message);
        var noWeights = CheckpointFolders.Gpt2(Dir("no-weights"));
        File.Move(Path.Combine(noWeights, "model.safetensors"), Path.Combine(noWeights, "pytorch_model.bin"));
        var w = Assert.Throws<FileNotFoundException>(() => TransformerModel.FromPretrained(noWeights));
        Assert.Contains("neither model.safetensors nor model.safetensors.index.json", w.Message);
        Assert.Contains("It has pytorch_model.bin", w.Message);
    }

    [Fact]
    public void AnUntiedLmHeadIsRefused()
    {
        var dir = CheckpointFolders.Gpt2(Dir("untied"));
        var path = Path.Combine(dir, "model.safetensors");
        var (tensors, _) = Safetensors.Load(path);
        using var head = tensors["wte.weight"] + 1;
        tensors["lm_head.weight"] = head;
        Safetensors.Save(path, tensors);
        foreach (var t in tensors.Values) t.Dispose();
        var e = Assert.Throws<NotSupportedException>(() => TransformerModel.FromPretrained(dir));
        Assert.Contains("'lm_head.weight'", e.Message);
        Assert.Contains("ties them", e.Message);
    }
}
