using System.IO.Compression;
using System.Text;
using PeftKit.Data;

namespace PeftKit.Tests.Data;

/// <summary>Missing and malformed data files give messages that name the file, the line and the fix.</summary>
public sealed class KitDataErrorTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "peftkit-data-errors-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    string WriteT1Train(string content)
    {
        var path = Path.Combine(_root, DataFiles.For(TaskName.SpamHam, Split.Train));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var gz = new GZipStream(File.Create(path), CompressionMode.Compress);
        gz.Write(Encoding.UTF8.GetBytes(content));
        return path;
    }

    [Fact]
    public void MissingFileNamesTheFileAndSaysRunKitData()
    {
        var e = Assert.Throws<DataFileException>(() => KitData.Classification(TaskName.SpamHam, Split.Dev, _root));
        Assert.Contains(Path.Combine(_root, "t1-spam", "dev.jsonl.gz"), e.Message);
        Assert.Contains("run `kit data`", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null(e.Line);
    }

    [Fact]
    public void InvalidJsonNamesFileAndLine()
    {
        var path = WriteT1Train("{\"id\":\"a\",\"group\":\"g\",\"label\":0,\"text\":\"ok\"}\n{not json\n");
        var e = Assert.Throws<DataFileException>(() => KitData.Classification(TaskName.SpamHam, Split.Train, _root));
        Assert.StartsWith($"{path}:2: not valid JSON", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void MissingPropertyIsNamed()
    {
        var path = WriteT1Train("{\"id\":\"a\",\"group\":\"g\",\"label\":0}\n");
        var e = Assert.Throws<DataFileException>(() => KitData.Classification(TaskName.SpamHam, Split.Train, _root));
        Assert.Equal($"{path}:1: property \"text\" is missing or not a string. Run `kit data` to rebuild the file.", e.Message);
    }

    [Fact]
    public void LabelOutsideTheClassesIsRejected()
    {
        var path = WriteT1Train("{\"id\":\"a\",\"group\":\"g\",\"label\":0,\"text\":\"x\"}\n{\"id\":\"b\",\"group\":\"g\",\"label\":2,\"text\":\"y\"}\n");
        var e = Assert.Throws<DataFileException>(() => KitData.Classification(TaskName.SpamHam, Split.Train, _root));
        Assert.Equal($"{path}:2: \"label\" is 2, outside 0..1. Run `kit data` to rebuild the file.", e.Message);
    }

    [Fact]
    public void NonGzipFileIsReported()
    {
        var path = Path.Combine(_root, DataFiles.Pretraining);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "plain text, not gzip");
        var e = Assert.Throws<DataFileException>(() => KitData.PretrainingDocuments(_root));
        Assert.StartsWith($"Dataset file '{path}' is not valid gzip-compressed UTF-8", e.Message);
    }

    [Fact]
    public void WrongTaskKindIsExplained()
    {
        var e = Assert.Throws<ArgumentException>(() => KitData.Classification(TaskName.EmailSubject, Split.Train, _root));
        Assert.Contains("not a classification task; use Generation", e.Message);
    }

    [Fact]
    public void DataRootFindsTheRepositoryDataFolderFromASubfolder()
    {
        var found = DataRoot.FindFrom(AppContext.BaseDirectory);
        Assert.NotNull(found);
        Assert.True(File.Exists(Path.Combine(found!, DataRoot.ManifestFileName)), found);
        Assert.True(File.Exists(Path.Combine(found!, "..", "Kit.sln")));
    }
}
