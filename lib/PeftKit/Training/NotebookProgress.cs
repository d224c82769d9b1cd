namespace PeftKit.Training;

/// <summary>
/// Compact progress for notebooks, where '\r' does not rewrite a cell's output: a line at the start, one line per
/// evaluation (step, mean training loss since the previous evaluation, metrics, elapsed time) and one at the end.
/// Log events only feed the training-loss average.
/// </summary>
public sealed class NotebookProgress : IProgress<TrainingEvent>
{
    readonly TextWriter _out;
    double _lossSum;
    int _lossCount;

    /// <summary>Writes to <paramref name="output"/> (default: <see cref="Console.Out"/>, which a notebook cell shows).</summary>
    public NotebookProgress(TextWriter? output = null) => _out = output ?? Console.Out;

    /// <inheritdoc />
    public void Report(TrainingEvent value)
    {
        switch (value.Kind)
        {
            case TrainingEventKind.Started:
            case TrainingEventKind.Finished:
                _out.WriteLine(value.Message);
                break;
            case TrainingEventKind.Log when value.Loss is double loss:
                _lossSum += loss;
                _lossCount++;
                break;
            case TrainingEventKind.Eval:
                var train = _lossCount > 0 ? $" | train loss {ProgressFormat.Number(_lossSum / _lossCount)}" : "";
                _lossSum = 0;
                _lossCount = 0;
                _out.WriteLine($"step {value.Step}/{value.TotalSteps}{train} | {ProgressFormat.Metrics(value.Metrics!)}" +
                               $"{(value.IsBest ? " (best)" : "")} | {ProgressFormat.Time(value.Elapsed)}");
                break;
        }
    }
}
