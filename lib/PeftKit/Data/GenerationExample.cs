namespace PeftKit.Data;

/// <summary>A conditional generation example: produce <paramref name="Target"/> given <paramref name="Source"/>.</summary>
/// <param name="Source">The conditioning text (an email body for T3).</param>
/// <param name="Target">The text to generate (the email's cleaned subject line for T3).</param>
/// <param name="Id">Stable example id (e.g. <c>easy-ham-1/00001</c>).</param>
public sealed record GenerationExample(string Source, string Target, string Id = "");
