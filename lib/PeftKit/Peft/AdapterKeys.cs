using PeftKit.Models;

namespace PeftKit;

/// <summary>
/// Saved-key layout of the reference library. A model with a head is a GPT2LMHeadModel / GPT2ForSequenceClassification
/// / BertForMaskedLM / BertForSequenceClassification there, whose body modules live under <c>transformer.</c> /
/// <c>bert.</c>: <c>base_model.model.transformer.h.0.attn.c_attn.lora_A.weight</c>. A headless model (GPT2Model,
/// BertModel) has no such prefix. Loading accepts both.
/// </summary>
internal static class AdapterKeys
{
    const string Root = "base_model.model.";
    static readonly string[] HeadModules = ["score.", "classifier.", "cls.", "lm_head."];

    /// <summary>The key as written to the file for <paramref name="model"/>.</summary>
    public static string ToFile(string key, TransformerModel model)
    {
        if (!key.StartsWith(Root, StringComparison.Ordinal) || model.Head == HeadKind.None) return key;
        var rest = key[Root.Length..];
        if (HeadModules.Any(h => rest.StartsWith(h, StringComparison.Ordinal))) return key;
        return Root + (model.Config.Kind == ModelKind.Decoder ? "transformer." : "bert.") + rest;
    }

    /// <summary>The key without the body prefix, as the kit's adapters name it.</summary>
    public static string Canonical(string key)
    {
        foreach (var body in new[] { "transformer.", "bert." })
            if (key.StartsWith(Root + body, StringComparison.Ordinal)) return Root + key[(Root.Length + body.Length)..];
        return key;
    }
}
