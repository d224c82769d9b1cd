namespace PeftKit.Training;

/// <summary>
/// Progress for a terminal: one live line (step, loss, learning rate, tokens/s, ETA) rewritten in place with '\r',
/// and a line of its own for each evaluation. When the output is redirected (a log file, CI) every log event is a
/// plain line instead, so the file holds no carriage returns.
/// </summary>
public sealed class ConsoleProgress : IProgress<TrainingEvent>
{
    readonly TextWriter _out;
    readonly bool _live;
    int _liveLength;

    /// <summary>Writes to <paramref name="output"/> (default: the console).</summary>
    /// <param name="output">Where to write; defaults to <see cref="Console.Out"/>.</param>
    /// <param name="liveLine">Rewrite one line with '\r'; default: true when writing to a console whose output is not redirected.</param>
    public ConsoleProgress(TextWriter? output = null, bool? liveLine = null)
    {
        _out = output ?? Console.Out;
        _live = liveLine ?? (output is null && !Console.IsOutputRedirected);
    }

    /// <inheritdoc />
    public void Report(TrainingEvent value)
    {
        switch (value.Kind)
        {
            case TrainingEventKind.Started:
                _out.WriteLine(value.Message);
                break;
            case TrainingEventKind.Log:
                var line = ProgressFormat.LogLine(value);
                if (_live)
                {
                    // Pad with spaces so a shorter line fully covers the previous one.
                    _out.Write("\r" + line.PadRight(_liveLength));
                    _liveLength = line.Length;
                }
                else _out.WriteLine(line);
                break;
            case TrainingEventKind.Eval:
                EndLiveLine();
                _out.WriteLine($"eval @ step {value.Step}: {ProgressFormat.Metrics(value.Metrics!)}{(value.IsBest ? " (best)" : "")}");
                break;
            case TrainingEventKind.Finished:
                EndLiveLine();
                _out.WriteLine(value.Message);
                break;
        }
        _out.Flush();
    }

    void EndLiveLine()
    {
        if (_liveLength == 0) return;
        _out.WriteLine();
        _liveLength = 0;
    }
}
