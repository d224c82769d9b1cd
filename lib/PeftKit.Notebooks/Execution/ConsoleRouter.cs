using System.Text;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// Replaces Console.Out/Error once per process with writers that send text to the running cell's outputs and to the
/// real console otherwise. The cell's sink flows with the execution context (threads, tasks and timers started by the
/// cell inherit it), so output of code that outlives its cell is never attributed to a later cell or notebook:
/// after a normal cell it goes to the real console, after a timed-out (abandoned) cell it is discarded. Code whose
/// execution context does not flow (e.g. native callbacks) falls back to the cell running at that moment.
/// </summary>
internal static class ConsoleRouter
{
    static readonly object Gate = new();
    static volatile OutputSink? active;
    static readonly AsyncLocal<OutputSink?> Flowing = new();
    static bool installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (installed)
                return;
            Console.SetOut(new RoutingWriter("stdout", Console.Out));
            Console.SetError(new RoutingWriter("stderr", Console.Error));
            installed = true;
        }
    }

    /// <summary>Routes console output to <paramref name="sink"/> until the returned scope is disposed.</summary>
    public static IDisposable Capture(OutputSink sink)
    {
        Install();
        active = sink;
        Flowing.Value = sink; // set in this synchronous method, so it stays in the caller's execution context
        return new Scope();
    }

    sealed class Scope : IDisposable
    {
        public void Dispose()
        {
            Console.Out.Flush();
            Console.Error.Flush();
            active = null;
            Flowing.Value = null;
        }
    }

    sealed class RoutingWriter(string stream, TextWriter original) : TextWriter
    {
        public override Encoding Encoding => original.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Write(string? value)
        {
            if (value is null)
                return;
            if ((Flowing.Value ?? active) is not { } sink || (!sink.Write(stream, value) && !sink.Abandoned))
                original.Write(value);
        }

        public override void WriteLine(string? value) => Write((value ?? "") + NewLine);

        public override void Flush() => original.Flush();
    }
}
