using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Execution;

/// <summary>Collects one cell's outputs in the order they happen; thread-safe (cells may write from other threads).</summary>
internal sealed class OutputSink
{
    readonly List<CellOutput> outputs;

    public OutputSink(List<CellOutput> outputs) => this.outputs = outputs;

    public void Write(string stream, string text)
    {
        if (text.Length == 0)
            return;
        lock (outputs)
        {
            if (outputs.Count > 0 && outputs[^1] is { Kind: OutputKind.Stream } last && last.StreamName == stream)
                last.Text += text;
            else
                outputs.Add(CellOutput.Stream(stream, text));
        }
    }

    public void Add(CellOutput output)
    {
        lock (outputs)
            outputs.Add(output);
    }
}
