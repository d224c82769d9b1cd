using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>What <see cref="ExperimentLoop"/> measures of every run, whatever its task.</summary>
internal sealed record RunCost(long Trainable, long Total, long SavedParameters, long AdapterBytes, double StepMsMedian,
    double Seconds, long PeakResidentBytes, long PeakIncreaseBytes, TrainingHistory History);
