namespace PeftKit.Experiments;

/// <summary>One greedy generation next to its reference.</summary>
/// <param name="Prompt">The source as the model saw it (truncated), without the separator.</param>
/// <param name="Reference">The reference subject line as written.</param>
/// <param name="Generated">What the model wrote, up to its end-of-text token ([UNK] dropped).</param>
/// <param name="TokenF1">Token F1 of <paramref name="Generated"/> against <paramref name="Reference"/>.</param>
public sealed record GenerationSample(string Prompt, string Reference, string Generated, double TokenF1);
