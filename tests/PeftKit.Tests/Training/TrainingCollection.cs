namespace PeftKit.Tests.Training;

/// <summary>Training tests seed torch's global generator, so they run one at a time, apart from other classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Training (torch, serial)";
}
