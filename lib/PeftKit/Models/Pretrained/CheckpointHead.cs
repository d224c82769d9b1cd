using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// Picks the head a checkpoint's weights hold. GPT-2: <c>score.*</c> → sequence classification, <c>classifier.*</c> →
/// token classification, else the LM head (tied to <c>wte</c>, so every GPT-2 body has it; a stored <c>lm_head.weight</c>
/// must equal <c>wte</c>). BERT: <c>classifier.*</c> → sequence classification when the file has a pooler
/// (BertForSequenceClassification) and token classification when it has none or <c>architectures</c> says
/// <c>…ForTokenClassification</c>; <c>cls.predictions.*</c> → masked LM (a stored decoder must be the tied copy); else no
/// head (BertModel). A BERT file without <c>pooler.*</c> (BertForMaskedLM, BertForTokenClassification) loads with the
/// pooler at its initial values, said in a note.
/// </summary>
internal static class CheckpointHead
{
    public sealed record Plan(HeadKind Head, int NumLabels, Func<string, bool>? MayBeMissing, IReadOnlyList<string> Notes);

    public static Plan Pick(Dictionary<string, Tensor> file, TransformerConfig config, IReadOnlyList<string> architectures, string source)
    {
        bool decoder = config.Kind == ModelKind.Decoder;
        string prefix = decoder ? "transformer." : "bert.";
        var keys = file.Keys.ToDictionary(k => k.StartsWith(prefix, StringComparison.Ordinal) ? k[prefix.Length..] : k, k => k);
        int Labels(string weightKey) => (int)file[keys[weightKey]].shape[0];

        if (decoder)
        {
            if (keys.ContainsKey("score.weight")) return new(HeadKind.SequenceClassification, Labels("score.weight"), null, []);
            if (keys.ContainsKey("classifier.weight")) return new(HeadKind.TokenClassification, Labels("classifier.weight"), null, []);
            RequireTied(file, keys, "lm_head.weight", "wte.weight", source, "GPT-2's LM head");
            return new(HeadKind.LanguageModel, 0, null, []);
        }

        bool hasPooler = keys.ContainsKey("pooler.dense.weight");
        var notes = new List<string>();
        Func<string, bool>? mayBeMissing = null;
        if (!hasPooler)
        {
            mayBeMissing = k => k.StartsWith("pooler.", StringComparison.Ordinal);
            notes.Add($"'{source}' has no pooler (BertForMaskedLM and BertForTokenClassification save none): pooler.dense keeps its random initial values, so ModelOutput.Pooled is not pretrained.");
        }
        if (keys.ContainsKey("classifier.weight"))
        {
            bool token = !hasPooler || architectures.Any(a => a.EndsWith("ForTokenClassification", StringComparison.Ordinal));
            return new(token ? HeadKind.TokenClassification : HeadKind.SequenceClassification, Labels("classifier.weight"), mayBeMissing, notes);
        }
        if (keys.ContainsKey("cls.predictions.bias"))
        {
            RequireTied(file, keys, "cls.predictions.decoder.weight", "embeddings.word_embeddings.weight", source, "BERT's MLM decoder");
            RequireTied(file, keys, "cls.predictions.decoder.bias", "cls.predictions.bias", source, "BERT's MLM decoder bias");
            return new(HeadKind.MaskedLanguageModel, 0, mayBeMissing, notes);
        }
        return new(HeadKind.None, 0, mayBeMissing, notes);
    }

    /// <summary>The kit ties <paramref name="copyKey"/> to <paramref name="ownerKey"/>; a stored copy must hold the same values.</summary>
    static void RequireTied(Dictionary<string, Tensor> file, Dictionary<string, string> keys, string copyKey, string ownerKey, string source, string what)
    {
        if (!keys.TryGetValue(copyKey, out var copy) || !keys.TryGetValue(ownerKey, out var owner)) return;
        var (a, b) = (file[copy], file[owner]);
        if (!a.shape.SequenceEqual(b.shape) || !a.to(float64).eq(b.to(float64)).all().item<bool>())
            throw new NotSupportedException(
                $"'{source}' stores {what} ('{copy}') with values different from '{owner}'; the kit ties them (one tensor), so an untied head cannot be loaded without changing the model.");
    }
}
