namespace PeftKit.Measurement;

/// <summary>The words a findings table prints for a <see cref="Verdict"/>.</summary>
public static class VerdictWords
{
    /// <summary>"reproduces", "direction only", "does not reproduce", "inconclusive" or "not tested".</summary>
    public static string ToWords(this Verdict verdict) => verdict switch
    {
        Verdict.Reproduces => "reproduces",
        Verdict.DirectionOnly => "direction only",
        Verdict.DoesNot => "does not reproduce",
        Verdict.Inconclusive => "inconclusive",
        Verdict.NotTested => "not tested",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}
