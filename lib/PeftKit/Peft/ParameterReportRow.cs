namespace PeftKit;

/// <summary>One module's line of a <see cref="ParameterReport"/>.</summary>
/// <param name="Module">Dotted module name.</param>
/// <param name="Parameters">Elements of the module's own parameters.</param>
/// <param name="Trainable">Of those, elements with requires_grad.</param>
/// <param name="Shapes">Each own parameter as <c>name[shape]</c>.</param>
public sealed record ParameterReportRow(string Module, long Parameters, long Trainable, string Shapes);
