using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Display;

/// <summary>What <c>display(...)</c> returns: <see cref="Update"/> replaces the output it created, wherever it is.</summary>
public sealed class DisplayHandle
{
    readonly CellOutput output;
    readonly string[] mimeTypes;
    readonly Execution.KernelSession session;

    internal DisplayHandle(CellOutput output, string[] mimeTypes, Execution.KernelSession session)
    {
        this.output = output;
        this.mimeTypes = mimeTypes;
        this.session = session;
    }

    /// <summary>Replaces the displayed value with <paramref name="value"/>, formatted with the same MIME types.</summary>
    public void Update(object? value)
    {
        if (session.Broken)
            return; // its cell timed out and was abandoned: the notebook may already be written
        var data = session.Formatter.Format(value, mimeTypes);
        lock (output)
            output.Data = CellOutput.ToNodes(data);
    }
}
