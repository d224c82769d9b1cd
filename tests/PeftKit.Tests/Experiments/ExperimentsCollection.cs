namespace PeftKit.Tests.Experiments;

/// <summary>Experiment tests seed torch's global generator and share two small bases, so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExperimentsCollection : ICollectionFixture<SmallBases>
{
    public const string Name = "Experiments (torch, serial)";
}
