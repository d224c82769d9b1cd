namespace PeftKit.Tests.Data;

/// <summary>Test classes that share one pipeline run.</summary>
[CollectionDefinition(Name)]
public sealed class DataBuildCollection : ICollectionFixture<DataBuildFixture>
{
    public const string Name = "data build";
}
