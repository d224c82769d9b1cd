namespace PeftKit.Cli;

/// <summary>
/// What `kit`'s exit code means, the same for every verb (each verb's --help lists the ones it uses):
/// 0 done, 1 the work failed, 2 bad arguments (nothing was run), 3 a notebook cell timed out (`kit run`).
/// </summary>
internal static class ExitCode
{
    internal const int Ok = 0;
    internal const int Failed = 1;
    internal const int BadArguments = 2;
    internal const int TimedOut = 3;

    /// <summary>The sentence each verb's description ends with; <paramref name="failed"/> says what 1 means for it.</summary>
    internal static string Describe(string failed, string? timedOut = null) =>
        $" Exit codes: 0 done; 1 {failed}; 2 bad arguments (nothing was run){(timedOut is null ? "" : $"; 3 {timedOut}")}.";

    /// <summary>Writes "error: …" to stderr and returns <see cref="BadArguments"/>.</summary>
    internal static int BadArgument(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return BadArguments;
    }
}
