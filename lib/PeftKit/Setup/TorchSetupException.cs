namespace PeftKit.Setup;

/// <summary>TorchSharp cannot be made to work on this machine; the message says why and what to do.</summary>
public sealed class TorchSetupException : Exception
{
    /// <summary>Creates the exception with a message that names the cause and the fix.</summary>
    public TorchSetupException(string message, Exception? inner = null) : base(message, inner) { }
}
