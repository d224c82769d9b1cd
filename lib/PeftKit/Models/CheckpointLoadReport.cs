namespace PeftKit.Models;

/// <summary>How the keys of a checkpoint matched a <see cref="TransformerModel"/>.</summary>
/// <param name="Loaded">Model parameter names that were filled from the file.</param>
/// <param name="Missing">Model parameters the file lacks (body or pretraining head); an error when strict.</param>
/// <param name="NewlyInitialized">Classification-head parameters (<c>score</c>, <c>classifier</c>) the file lacks; they keep their random init.</param>
/// <param name="Unexpected">File keys that match nothing in the model; an error when strict.</param>
/// <param name="Skipped">File keys deliberately ignored: tied copies (<c>lm_head.weight</c>, <c>cls.predictions.decoder.*</c>),
/// non-persistent buffers (<c>attn.bias</c>, <c>position_ids</c>) and heads the model does not have.</param>
public sealed record CheckpointLoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> NewlyInitialized,
    IReadOnlyList<string> Unexpected, IReadOnlyList<string> Skipped);
