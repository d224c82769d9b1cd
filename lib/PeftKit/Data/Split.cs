namespace PeftKit.Data;

/// <summary>A task's data split.</summary>
public enum Split
{
    /// <summary>Training examples.</summary>
    Train,
    /// <summary>Development (validation) examples: model selection, early stopping.</summary>
    Dev,
    /// <summary>Held-out test examples: report these numbers.</summary>
    Test,
}
