using System.Diagnostics;
using PeftKit.Measurement;
using PeftKit.Models;
using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>
/// The one loop every experiment runs, whatever its task (<see cref="IExperimentTask"/>: classification through a head
/// or a verbalizer, generation): reset the memory high-water mark and start the clock, build the adapted model, train
/// it keeping the best dev checkpoint, switch to eval mode, let the caller score it, and measure what the run cost.
/// If anything throws, the model and its base are disposed.
/// </summary>
internal static class ExperimentLoop
{
    /// <summary>Runs the task; <paramref name="score"/> sees the trained model (eval mode) and its history.</summary>
    internal static (TScores Scores, RunCost Cost) Run<TScores>(IExperimentTask task, TrainerConfig config, Func<PeftModel, TrainingHistory, TScores> score,
        IProgress<TrainingEvent>? progress, out PeftModel peft)
    {
        ProcessMemory.Release();
        ProcessMemory.ResetPeak();
        long rss0 = ProcessMemory.CurrentResidentBytes();
        var clock = Stopwatch.StartNew();
        var adapted = task.Adapt();
        var inner = adapted.Base;
        try
        {
            adapted.train();
            TrainingHistory history;
            using (var trainer = new Trainer<ModelInput>(config, adapted.named_parameters(), batch => task.Loss(adapted, batch),
                       () => new Dictionary<string, double> { [config.Metric] = task.DevMetric(adapted) }, progress, task.CountTokens))
                history = trainer.Train(task.TrainBatches());
            adapted.eval();
            var scores = score(adapted, history);
            double seconds = clock.Elapsed.TotalSeconds;
            long peak = ProcessMemory.PeakResidentBytes();
            var report = adapted.Report();
            var saved = SavedAdapter.Of(adapted);
            peft = adapted;
            return (scores, new RunCost(report.Trainable, report.Total, saved.Parameters, saved.Bytes, StepMsMedian(history),
                seconds, peak, Math.Max(0, peak - rss0), history));
        }
        catch
        {
            adapted.Dispose();
            inner.Dispose();
            throw;
        }
    }

    /// <summary>Median step time in ms from the step-end clock; the first step and steps right after an evaluation are left out.</summary>
    internal static double StepMsMedian(TrainingHistory history)
    {
        var evalSteps = history.Evals.Select(e => e.Step).ToHashSet();
        var ms = new List<double>();
        for (int i = 1; i < history.Steps.Count; i++)
            if (!evalSteps.Contains(history.Steps[i - 1].Step))
                ms.Add((history.Steps[i].WallSeconds - history.Steps[i - 1].WallSeconds) * 1000);
        if (ms.Count == 0) return history.Steps.Count > 0 ? history.Steps[0].WallSeconds * 1000 : double.NaN;
        return Statistics.Median(ms);
    }
}
