using System.Text;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// Replaces Console.Out/Error once per process with writers that send text to the running cell's outputs (from any
/// thread, while the cell runs) and to the real console otherwise.
/// </summary>
internal static class ConsoleRouter
{
    static readonly object Gate = new();
    static volatile OutputSink? active;
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
        return new Scope();
    }

    sealed class Scope : IDisposable
    {
        public void Dispose()
        {
            Console.Out.Flush();
            Console.Error.Flush();
            active = null;
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
            if (active is { } sink)
                sink.Write(stream, value);
            else
                original.Write(value);
        }

        public override void WriteLine(string? value) => Write((value ?? "") + NewLine);

        public override void Flush() => original.Flush();
    }
}
