namespace PeftKit.Models;

/// <summary>How <see cref="TextGeneration.Generate"/> continues a prompt.</summary>
/// <param name="MaxNewTokens">Tokens to append (at most; fewer if every row emitted <paramref name="EosTokenId"/>).</param>
/// <param name="TopK">0 = greedy (argmax); k &gt; 0 = sample from the k most likely tokens.</param>
/// <param name="Temperature">Divides the logits before top-k sampling; ignored when greedy.</param>
/// <param name="Seed">Seed of the sampling generator, so sampled continuations are reproducible.</param>
/// <param name="EosTokenId">Token that ends a row; later positions of that row repeat it. null = never stop early.</param>
/// <param name="UseCache">true = feed one token per step through a <see cref="KvCache"/>; false = recompute the whole sequence each step (reference path).</param>
public sealed record GenerationOptions(int MaxNewTokens = 32, int TopK = 0, float Temperature = 1f, long Seed = 0, long? EosTokenId = null, bool UseCache = true)
{
    /// <summary>Throws if a field is out of range.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "MaxNewTokens must be >= 0.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be 0 (greedy) or positive.");
        if (!(Temperature > 0) || !float.IsFinite(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a positive finite number.");
    }
}
