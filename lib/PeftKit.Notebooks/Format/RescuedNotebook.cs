namespace PeftKit.Notebooks.Format;

/// <summary>An executed notebook that could not be written where asked, and where it was saved instead.</summary>
/// <param name="Path">The rescue file: an .ipynb, or a .txt of sources and text outputs when JSON could not be written.</param>
/// <param name="Reason">Why the requested path was not written.</param>
public sealed record RescuedNotebook(string Path, string Reason);
