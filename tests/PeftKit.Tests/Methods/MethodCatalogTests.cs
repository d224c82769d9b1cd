using PeftKit.Benchmarks;
using PeftKit.Methods;

namespace PeftKit.Tests.Methods;

/// <summary>
/// <see cref="MethodCatalog"/> is the one list of methods: every configuration type is in it once, the shared test
/// table covers every row, and each row's flags say what the method really does.
/// </summary>
public sealed class MethodCatalogTests
{
    static MethodCatalogTests() => KitTorch.Setup();

    public static TheoryData<string> Names() => [.. MethodCatalog.Names];

    [Fact]
    public void EveryConfigurationTypeHasExactlyOneRow()
    {
        var configTypes = typeof(PeftConfig).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PeftConfig)) && !t.IsAbstract).OrderBy(t => t.FullName).ToList();
        Assert.Equal(configTypes, MethodCatalog.All.Select(d => d.ConfigType).OrderBy(t => t.FullName));
        Assert.Equal(MethodCatalog.All.Count, MethodCatalog.Names.Distinct().Count());
        Assert.Equal(MethodCatalog.All.Count, MethodCatalog.All.Select(d => d.PeftType).Distinct().Count());
    }

    [Fact]
    public void TheSharedTestTableHasARowForEveryMethod()
    {
        var tested = MethodTable.Rows.Select(r => r.Config().GetType()).ToHashSet();
        Assert.Empty(MethodCatalog.All.Where(d => !tested.Contains(d.ConfigType)).Select(d => d.Name));
    }

    [Fact]
    public void EveryMethodHasAPositiveFiniteLearningRate() =>
        Assert.All(MethodCatalog.All, d => Assert.True(double.IsFinite(d.LearningRate) && d.LearningRate > 0, $"{d.Name}: LearningRate {d.LearningRate}"));

    [Fact]
    public void TheTestTablesMergeableFlagsAgreeWithTheCatalog()
    {
        foreach (var row in MethodTable.Rows)
            Assert.True(MethodCatalog.Of(row.Config()).Mergeable == row.Mergeable, $"{row.Name}: the test table and the catalog disagree on Mergeable");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ARecipeAppliesMergesOnlyWhereTheRowSaysAndRoundTripsThroughAdapterConfigJson(string name)
    {
        var method = MethodCatalog.ByName(name);
        var config = TransformerConfig.TinyDecoder;
        var recipe = BenchMethods.Create(name, config);
        Assert.Same(method, MethodCatalog.Of(recipe));
        Assert.Equal(method.PeftType, recipe.PeftType);

        var read = PeftConfig.FromJson(recipe.ToJson());
        Assert.Equal(recipe.GetType(), read.GetType());
        Assert.Equal(recipe.ToJson(), read.ToJson());

        using var peft = Peft.Apply(BenchMethods.CreateModel("tiny-gpt", name), recipe);
        if (method.Mergeable)
            peft.Merge();
        else
            Assert.Throws<NotSupportedException>(peft.Merge);
    }

    [Fact]
    public void AnUnknownNameOrPeftTypeIsNamedWithTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodCatalog.ByName("qlora"));
        Assert.Contains("'qlora'", e.Message);
        Assert.Contains("ptuning-v2", e.Message);
        var json = new PeftKit.Methods.Lora.LoraConfig(new[] { "c_attn" }).ToJson().Replace("\"LORA\"", "\"LOHA\"");
        var n = Assert.Throws<NotSupportedException>(() => PeftConfig.FromJson(json));
        Assert.Contains("'LOHA'", n.Message);
        Assert.Contains("BOTTLENECK_ADAPTER", n.Message);
    }

    [Fact]
    public void PTuningsRecipeWithoutATemplateSaysWhatIsMissing() =>
        Assert.Contains("template", Assert.Throws<ArgumentException>(() =>
            MethodCatalog.ByName("ptuning-v1").Recipe(new MethodRecipeContext(TransformerConfig.TinyDecoder, 20))).Message);
}
