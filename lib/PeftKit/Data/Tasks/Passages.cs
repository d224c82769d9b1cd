using System.Text.RegularExpressions;

namespace PeftKit.Data.Tasks;

/// <summary>
/// Cuts a speech into paragraph-sized passages. The packaged State of the Union texts carry no paragraph breaks
/// (each speech is one line), so a "paragraph" here is a run of whole consecutive sentences: sentences are appended
/// until the passage has at least <see cref="TargetChars"/> characters; a final remainder shorter than
/// <see cref="MinChars"/> is dropped.
/// </summary>
public static partial class Passages
{
    /// <summary>A passage closes once it reaches this many characters.</summary>
    public const int TargetChars = 400;

    /// <summary>Passages shorter than this (only ever the last of a speech) are dropped.</summary>
    public const int MinChars = 200;

    // A sentence ends at . ! or ? (optionally followed by closing quotes/brackets) before whitespace and an
    // upper-case letter, digit or opening quote — except after a title abbreviation (Mr. Dr. Gen. …) or a single
    // capital initial (U.S., John F. Kennedy).
    [GeneratedRegex(@"(?<=[.!?][""'”’)\]]*)(?<!\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Jr|Sr|Hon|Messrs|No|Mt|Lt|Col|Capt|Prof|Rev|[A-Z])\.)\s+(?=[""“‘(\[]*[A-Z0-9])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Splits text into sentences (whitespace inside each collapsed to single spaces).</summary>
    public static IReadOnlyList<string> Sentences(string text) =>
        SentenceBoundary().Split(Whitespace().Replace(text, " ").Trim()).Where(s => s.Length > 0).ToList();

    /// <summary>The passages of a speech, in order.</summary>
    public static IReadOnlyList<string> Split(string speech)
    {
        var passages = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var sentence in Sentences(speech))
        {
            if (current.Length > 0) current.Append(' ');
            current.Append(sentence);
            if (current.Length >= TargetChars)
            {
                passages.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length >= MinChars) passages.Add(current.ToString());
        return passages;
    }
}
