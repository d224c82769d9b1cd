namespace PeftKit.IO;

/// <summary>A safetensors file is malformed or does not fit the model it is loaded into; the message says which tensor and why.</summary>
public sealed class SafetensorsException(string message, Exception? inner = null) : Exception(message, inner);
