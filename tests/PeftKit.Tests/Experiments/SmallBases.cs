using System.Text.Json;
using PeftKit.Data;
using PeftKit.Experiments;
using PeftKit.Pretraining;
using PeftKit.Text;
using PeftKit.Training;

namespace PeftKit.Tests.Experiments;

/// <summary>
/// Two small randomly initialised bases (encoder and decoder, d = 32, 2 layers, 512-id vocabulary built from T1 text)
/// written in exactly the folder format <c>kit pretrain</c> writes, so <see cref="TinyBase.LoadFrom"/> reads them like
/// the committed ones — but in milliseconds instead of a pretraining run.
/// </summary>
public sealed class SmallBases : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "peftkit-exp-tests-" + Guid.NewGuid().ToString("N"));

    public SmallBases()
    {
        KitTorch.Setup();
        // T1 text, plus P-Tuning v1's default label words often enough to be kept in the 512 ids.
        var texts = KitData.Classification(TaskName.SpamHam, Split.Train).Take(400).Select(e => e.Text)
            .Append(string.Concat(Enumerable.Repeat(" ham spam", 500)));
        var tokenizer = CompactTokenizer.Build(texts, 512);
        Write("tiny-bert", Config(ModelKind.Encoder), tokenizer, seed: 1);
        Write("tiny-gpt", Config(ModelKind.Decoder), tokenizer, seed: 2);
        Encoder = TinyBase.LoadFrom(Dir("tiny-bert"));
        Decoder = TinyBase.LoadFrom(Dir("tiny-gpt"));
    }

    public TinyBase Encoder { get; }

    public TinyBase Decoder { get; }

    public TinyBase Of(ModelKind kind) => kind == ModelKind.Encoder ? Encoder : Decoder;

    public string Dir(string name) => Path.Combine(Root, "models", name);

    public static TransformerConfig Config(ModelKind kind) => new(kind, vocabSize: 512, maxPositions: 96, hiddenSize: 32, numLayers: 2, numHeads: 2,
        intermediateSize: 64, layerNormEps: 1e-5f, dropout: 0.1f, typeVocabSize: kind == ModelKind.Encoder ? 2 : 0);

    void Write(string name, TransformerConfig config, CompactTokenizer tokenizer, int seed)
    {
        var dir = Dir(name);
        Directory.CreateDirectory(dir);
        manual_seed(seed);
        using var model = new TransformerModel(config);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
        model.SaveSafetensors(Path.Combine(dir, "model.safetensors"));
        tokenizer.Save(Path.Combine(dir, "tokenizer.json"));
        new TrainingHistory { Seed = seed }.Save(Path.Combine(dir, "history.json"));
        var figures = new PretrainFigures
        {
            Model = name, Profile = "test", Seed = seed, Steps = 0, BatchSize = 1, SequenceLength = 1, Parameters = model.parameters().Sum(p => p.numel()),
            TokenizerVocabSize = tokenizer.VocabSize, TrainDocuments = 0, TrainTokens = 0, ValidationDocuments = 0, ValidationTokens = 0,
            TrainUnknownShare = 0, EvalSequences = 0, EvalPositions = 0, ValidationLoss = Math.Log(512), WallSeconds = 0, TrainSeconds = 0,
        };
        File.WriteAllText(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(figures, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        File.WriteAllText(Path.Combine(dir, "MODEL_CARD.md"), $"# {name}\n\nRandomly initialised test base.\n");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
