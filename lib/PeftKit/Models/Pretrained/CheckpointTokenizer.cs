using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Text;

namespace PeftKit.Models;

/// <summary>
/// The tokenizer files of a checkpoint folder: GPT-2 <c>vocab.json</c> + <c>merges.txt</c>; BERT <c>vocab.txt</c>, lower-cased
/// unless <c>tokenizer_config.json</c> says <c>"do_lower_case": false</c> (BertTokenizer's default is true); the kit's
/// compact <c>tokenizer.json</c>. The tokenizer's ids must fit the model's vocabulary.
/// </summary>
internal static class CheckpointTokenizer
{
    public static ITextTokenizer Load(string folder, CheckpointFormat format, TransformerConfig config)
    {
        ITextTokenizer tokenizer = format switch
        {
            CheckpointFormat.Gpt2 => Gpt2BpeTokenizer.FromFiles(Need(folder, format, "vocab.json"), Need(folder, format, "merges.txt")),
            CheckpointFormat.Bert => BertWordPieceTokenizer.FromFile(Need(folder, format, "vocab.txt"), LowerCase(folder)),
            _ => CompactTokenizer.Load(Need(folder, format, "tokenizer.json")),
        };
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException(
                $"'{folder}': the tokenizer has {tokenizer.VocabSize} ids but config.json's vocabulary has {config.VocabSize}; the tokenizer files belong to another model.");
        return tokenizer;
    }

    static string Need(string folder, CheckpointFormat format, string file)
    {
        var path = Path.Combine(folder, file);
        if (File.Exists(path)) return path;
        var files = format switch
        {
            CheckpointFormat.Gpt2 => "vocab.json and merges.txt",
            CheckpointFormat.Bert => "vocab.txt (and optionally tokenizer_config.json)",
            _ => "tokenizer.json (the kit's compact tokenizer)",
        };
        var fastOnly = format != CheckpointFormat.PeftKit && File.Exists(Path.Combine(folder, "tokenizer.json"))
            ? " The folder has only the fast tokenizer's tokenizer.json, which the kit does not read; save the slow tokenizer's files too (tokenizer.save_pretrained from a slow tokenizer, or download them from the model's page)."
            : "";
        throw new FileNotFoundException($"'{folder}' has no {file}: a {format} checkpoint folder needs its tokenizer files, {files}.{fastOnly}", path);
    }

    static bool LowerCase(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return true;
        try
        {
            return (JsonNode.Parse(File.ReadAllText(path)) as JsonObject)?["do_lower_case"] switch
            {
                null => true,
                JsonValue v when v.TryGetValue<bool>(out var lower) => lower,
                var other => throw new InvalidDataException($"'{path}': \"do_lower_case\" should be true or false, found {other.ToJsonString()}."),
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }
}
