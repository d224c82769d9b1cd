using PeftKit.Methods.PTuning;
using PeftKit.Models;

namespace PeftKit.Methods;

/// <summary>What a method's <see cref="MethodDescriptor.Recipe"/> may depend on.</summary>
/// <param name="Model">The architecture it will be applied to.</param>
/// <param name="VirtualTokens">Virtual tokens for the prompt-style methods (prefix, prompt, P-Tuning v1 and v2).</param>
/// <param name="Template">P-Tuning v1's template (it depends on the tokenizer, which the recipe does not know); null for other methods.</param>
public sealed record MethodRecipeContext(TransformerConfig Model, int VirtualTokens, PTuningTemplate? Template = null);
