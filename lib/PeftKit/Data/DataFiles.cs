namespace PeftKit.Data;

/// <summary>Where each dataset lives inside the data folder (paths relative to it, '/'-separated).</summary>
public static class DataFiles
{
    /// <summary>Pretraining documents: gzip JSONL of <c>{"source","id","text"}</c>.</summary>
    public const string Pretraining = "pretrain/documents.jsonl.gz";

    /// <summary>The file of a task split. T4 (<see cref="TaskName.SotuPunctuation"/>) is derived from T2's files.</summary>
    public static string For(TaskName task, Split split) => $"{Folder(task)}/{split.ToString().ToLowerInvariant()}.jsonl.gz";

    /// <summary>The folder holding a task's files.</summary>
    public static string Folder(TaskName task) => task switch
    {
        TaskName.SpamHam => "t1-spam",
        TaskName.SotuParty or TaskName.SotuPunctuation => "t2-party",
        TaskName.EmailSubject => "t3-subject",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };
}
