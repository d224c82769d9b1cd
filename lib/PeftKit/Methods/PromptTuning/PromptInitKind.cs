namespace PeftKit.Methods.PromptTuning;

/// <summary>How soft prompts start (Lester et al.: class-label words &gt; sampled vocabulary &gt; random uniform).</summary>
public enum PromptInitKind
{
    /// <summary>Uniform in [−range, range].</summary>
    Random,

    /// <summary>Embeddings of tokens sampled uniformly from the vocabulary.</summary>
    SampledVocab,

    /// <summary>Embeddings of given token ids (a tokenized text), repeated or truncated to n.</summary>
    Text,
}
