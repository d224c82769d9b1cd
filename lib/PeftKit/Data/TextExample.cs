namespace PeftKit.Data;

/// <summary>A text classification example.</summary>
/// <param name="Text">The input text.</param>
/// <param name="Label">Class id (see <see cref="KitData.LabelNames"/>).</param>
/// <param name="Id">Stable example id (e.g. <c>hard-ham-1/00012</c> or <c>1961_john_f_kennedy_d#004</c>).</param>
/// <param name="Group">Where it came from: the SpamAssassin group, or the speech id for State of the Union passages.</param>
public sealed record TextExample(string Text, int Label, string Id = "", string Group = "");
