using System.Globalization;
using System.Text;
using PeftKit.Models;

namespace PeftKit.Pretraining;

/// <summary>Writes MODEL_CARD.md for a pretrained tiny base: data, shape, run settings, exact command, figures vs baseline.</summary>
public static class ModelCard
{
    /// <summary>The model card's Markdown.</summary>
    public static string Markdown(PretrainRequest request, TransformerConfig config, PretrainFigures f, CorpusSplit split)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(split);
        var inv = CultureInfo.InvariantCulture;
        bool decoder = config.Kind == ModelKind.Decoder;
        var s = new StringBuilder();
        s.AppendLine($"# {request.ModelName}");
        s.AppendLine();
        s.AppendLine(decoder
            ? "A tiny GPT-2-layout causal decoder (pre-LN, learned positions, tied LM head) pretrained by PeftKit on next-token prediction."
            : $"A tiny BERT-layout encoder ({(config.PreLayerNorm ? "pre-LN with a final LayerNorm" : "post-LN")}, token types, pooler, tied MLM head) pretrained by PeftKit on masked-LM ({(request.EffectiveMaskRate * 100).ToString("0.#", inv)}% of tokens selected; 80% [MASK], 10% random, 10% kept).");
        s.AppendLine("Every figure below was measured by the run that wrote this folder (see results.json and history.json).");
        s.AppendLine();
        s.AppendLine("## Result (validation, held-out documents)");
        s.AppendLine();
        s.AppendLine("| metric | model | baseline |");
        s.AppendLine("|---|---|---|");
        if (decoder)
        {
            s.AppendLine(inv, $"| perplexity | {f.ValidationPerplexity:F2} | {f.UnigramPerplexity:F2} (add-one unigram of the training tokens) |");
            s.AppendLine(inv, $"| loss (nats/token) | {f.ValidationLoss:F4} | {Math.Log(f.UnigramPerplexity!.Value):F4} |");
            if (f.ValidationBitsPerByte is double bpb)
                s.AppendLine(inv, $"| bits per byte (any vocabulary) | {bpb:F4} | {f.UnigramBitsPerByte:F4} |");
        }
        else
        {
            s.AppendLine(inv, $"| MLM accuracy | {f.MlmAccuracy:P2} | {f.MajorityAccuracy:P2} (always the most frequent training token, `{Escape(f.MajorityToken!)}`) |");
            s.AppendLine(inv, $"| MLM loss (nats/masked token) | {f.ValidationLoss:F4} | |");
            if (f.ValidationBitsPerByte is double bpb)
                s.AppendLine(inv, $"| bits per masked byte (any vocabulary) | {bpb:F4} | |");
        }
        s.AppendLine(inv, $"\nScored on {f.EvalPositions:N0} {(decoder ? "" : "masked ")}positions of {f.EvalSequences} validation sequences of {f.SequenceLength} tokens{(decoder ? "" : " (BERT's 15% rule with fixed masks, whatever rate training used)")}.");
        s.AppendLine();
        s.AppendLine("## Data");
        s.AppendLine();
        s.AppendLine("`data/pretrain/documents.jsonl.gz` (built by `kit data`: State of the Union addresses outside every downstream dev/test split, and Moby Dick chapters; see data/README.md).");
        s.AppendLine(inv, $"Split by whole document (seed {f.Seed}): {f.TrainDocuments} training documents ({f.TrainTokens:N0} tokens), {f.ValidationDocuments} validation documents ({f.ValidationTokens:N0} tokens).");
        s.AppendLine($"Validation documents: {string.Join(", ", split.Validation.Select(d => $"{d.Source}/{d.Id}"))}.");
        s.AppendLine(f.ByteFallback
            ? string.Create(inv, $"Tokenizer: byte-level BPE of {f.TokenizerVocabSize:N0} ids (6 specials, 256 bytes, {f.TokenizerVocabSize - Text.CompactTokenizer.Specials.Count - Text.CompactTokenizer.ByteCount:N0} merges learnt from the training documents' cl100k tokens; tokenizer.json): any text round-trips and the unknown-token id is never produced; single bytes are {f.TrainByteShare:P2} of training tokens.")
            : string.Create(inv, $"Tokenizer: compact cl100k vocabulary of {f.TokenizerVocabSize:N0} ids built from the training documents only (tokenizer.json); [UNK] is {f.TrainUnknownShare:P2} of training tokens."));
        s.AppendLine();
        s.AppendLine("## Model and training");
        s.AppendLine();
        s.AppendLine(inv, $"- Shape: d={config.HiddenSize}, {config.NumLayers} layers, {config.NumHeads} heads, FFN {config.IntermediateSize}, {config.MaxPositions} positions, vocabulary {config.VocabSize}; {f.Parameters:N0} parameters (config.json).");
        s.AppendLine(inv, $"- Profile `{f.Profile}`: {f.Steps} steps of {f.BatchSize} × {f.SequenceLength} tokens ({(long)f.Steps * f.BatchSize * f.SequenceLength:N0} tokens seen), random windows of the training stream{(decoder ? "" : " freshly masked every batch")}.");
        s.AppendLine(inv, $"- Dropout {request.EffectiveDropout} while pretraining; config.json keeps {config.Dropout} for fine-tuning.");
        s.AppendLine(inv, $"- AdamW (β = 0.9, 0.99; weight decay 0.1 on matrices), peak learning rate {request.EffectiveLearningRate:G3}, {Math.Min(request.EffectiveWarmupSteps, f.Steps - 1)} warmup steps, cosine decay to a tenth, gradient clipping at 1.0, seed {f.Seed}.");
        s.AppendLine(inv, $"- Wall time: {f.WallSeconds:F0} s in all ({f.TrainSeconds:F0} s training with evaluations{(f.TokensPerSecond is double tps ? $", {tps:N0} training tokens/s" : "")}), CPU, {Environment.ProcessorCount} cores.");
        s.AppendLine();
        s.AppendLine("## Reproduce");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(string.IsNullOrWhiteSpace(request.Command) ? "(run from code, no command line)" : request.Command);
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine("Files: config.json, model.safetensors (F32, Hugging Face key names), tokenizer.json, history.json (every step), results.json (these figures).");
        return s.ToString();
    }

    static string Escape(string token) => token.Replace("`", "\\`").Replace("\n", "\\n");
}
