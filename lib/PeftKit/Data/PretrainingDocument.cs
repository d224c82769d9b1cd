namespace PeftKit.Data;

/// <summary>One document of the pretraining corpus.</summary>
/// <param name="Source">Corpus: <c>sotu</c> or <c>moby-dick</c>.</param>
/// <param name="Id">Speech file stem (e.g. <c>1830_andrew_jackson_d</c>) or chapter (e.g. <c>chapter_1</c>).</param>
/// <param name="Text">The document text.</param>
public sealed record PretrainingDocument(string Source, string Id, string Text);
