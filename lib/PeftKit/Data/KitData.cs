using PeftKit.Data.Tasks;

namespace PeftKit.Data;

/// <summary>
/// Loads the kit's datasets from the data folder (<see cref="DataRoot.Locate"/> unless a folder is given).
/// Missing files and malformed lines throw <see cref="DataFileException"/> naming the file, line and fix.
/// </summary>
public static class KitData
{
    /// <summary>The class names of a task, indexed by label id.</summary>
    public static IReadOnlyList<string> LabelNames(TaskName task) => task switch
    {
        TaskName.SpamHam => ["ham", "spam"],
        TaskName.SotuParty => ["Democratic", "Republican"],
        TaskName.SotuPunctuation => PunctuationLabels.Names,
        TaskName.EmailSubject => throw new ArgumentException("T3 (EmailSubject) is a generation task; it has no labels.", nameof(task)),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>A classification task's split (T1 <see cref="TaskName.SpamHam"/>, T2 <see cref="TaskName.SotuParty"/>).</summary>
    public static IReadOnlyList<TextExample> Classification(TaskName task, Split split, string? dataRoot = null)
    {
        if (task is not (TaskName.SpamHam or TaskName.SotuParty))
            throw new ArgumentException($"{task} is not a classification task; use {(task == TaskName.EmailSubject ? nameof(Generation) : nameof(TokenLabels))}.", nameof(task));
        int classes = LabelNames(task).Count;
        var groupField = task == TaskName.SpamHam ? "group" : "speech";
        return Jsonl.ReadGz(PathOf(DataFiles.For(task, split), dataRoot),
            r => new TextExample(r.String("text"), r.Int("label", classes), r.String("id"), r.String(groupField)));
    }

    /// <summary>A generation task's split (T3 <see cref="TaskName.EmailSubject"/>).</summary>
    public static IReadOnlyList<GenerationExample> Generation(TaskName task, Split split, string? dataRoot = null)
    {
        if (task != TaskName.EmailSubject)
            throw new ArgumentException($"{task} is not a generation task; only {TaskName.EmailSubject} is.", nameof(task));
        return Jsonl.ReadGz(PathOf(DataFiles.For(task, split), dataRoot),
            r => new GenerationExample(r.String("source"), r.String("target"), r.String("id")));
    }

    /// <summary>
    /// A token labelling task's split (T4 <see cref="TaskName.SotuPunctuation"/>): derived on load from T2's passages
    /// of the same split by <see cref="PunctuationLabels.FromText"/>.
    /// </summary>
    public static IReadOnlyList<TokenLabelExample> TokenLabels(TaskName task, Split split, string? dataRoot = null)
    {
        if (task != TaskName.SotuPunctuation)
            throw new ArgumentException($"{task} is not a token labelling task; only {TaskName.SotuPunctuation} is.", nameof(task));
        return Classification(TaskName.SotuParty, split, dataRoot).Select(e => PunctuationLabels.FromText(e.Text, e.Id)).ToList();
    }

    /// <summary>The pretraining documents (State of the Union speeches outside every downstream dev/test split, then Moby Dick).</summary>
    public static IReadOnlyList<PretrainingDocument> PretrainingDocuments(string? dataRoot = null) =>
        Jsonl.ReadGz(PathOf(DataFiles.Pretraining, dataRoot), r => new PretrainingDocument(r.String("source"), r.String("id"), r.String("text")));

    /// <summary>The pretraining corpus as one string, documents joined by <paramref name="separator"/>.</summary>
    public static string PretrainingText(string? dataRoot = null, string separator = "\n\n") =>
        string.Join(separator, PretrainingDocuments(dataRoot).Select(d => d.Text));

    static string PathOf(string relative, string? dataRoot) =>
        Path.Combine(dataRoot ?? DataRoot.Locate(), relative.Replace('/', Path.DirectorySeparatorChar));
}
