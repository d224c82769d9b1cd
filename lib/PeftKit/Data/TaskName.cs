namespace PeftKit.Data;

/// <summary>The downstream tasks <c>kit data</c> builds from real corpora.</summary>
public enum TaskName
{
    /// <summary>T1: SpamAssassin email body → 0 = ham, 1 = spam (<see cref="TextExample"/>).</summary>
    SpamHam,
    /// <summary>T2: State of the Union passage → 0 = Democratic, 1 = Republican, split by speech (<see cref="TextExample"/>).</summary>
    SotuParty,
    /// <summary>T3: ham email body → its subject line, for decoders (<see cref="GenerationExample"/>).</summary>
    EmailSubject,
    /// <summary>T4: punctuation restoration on T2's passages, one label per word (<see cref="TokenLabelExample"/>).</summary>
    SotuPunctuation,
}
