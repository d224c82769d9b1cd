using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// Collects one cell's outputs in the order they happen; thread-safe (cells may write from other threads).
/// Closed when the cell ends: later writes are refused (the caller decides where they go instead). A sink abandoned
/// after a timeout refuses everything for good, because the timed-out code may keep running in the background.
/// </summary>
internal sealed class OutputSink
{
    readonly List<CellOutput> outputs;
    bool closed;

    public OutputSink(List<CellOutput> outputs) => this.outputs = outputs;

    /// <summary>True once the cell was abandoned after a timeout: its late output is discarded, not shown anywhere.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>Appends stream text (merged with the previous chunk of the same stream); false when the sink is closed.</summary>
    public bool Write(string stream, string text)
    {
        lock (outputs)
        {
            if (closed)
                return false;
            if (text.Length == 0)
                return true;
            if (outputs.Count > 0 && outputs[^1] is { Kind: OutputKind.Stream } last && last.StreamName == stream)
                last.Text += text;
            else
                outputs.Add(CellOutput.Stream(stream, text));
            return true;
        }
    }

    /// <summary>Appends an output; false when the sink is closed.</summary>
    public bool Add(CellOutput output)
    {
        lock (outputs)
        {
            if (closed)
                return false;
            outputs.Add(output);
            return true;
        }
    }

    /// <summary>The cell ended: refuse further output.</summary>
    public void Close()
    {
        lock (outputs)
            closed = true;
    }

    /// <summary>The cell timed out: append <paramref name="error"/> as its last output and discard everything after it.</summary>
    public void Abandon(CellOutput error)
    {
        lock (outputs)
        {
            if (!closed)
                outputs.Add(error);
            closed = true;
            Abandoned = true;
        }
    }
}
