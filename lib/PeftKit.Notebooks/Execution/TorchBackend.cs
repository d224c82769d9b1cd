namespace PeftKit.Notebooks.Execution;

/// <summary>Which TorchSharp native backend <c>#r "nuget: TorchSharp-cpu"</c> restores.</summary>
public enum TorchBackend
{
    /// <summary>As written (TorchSharp-cpu).</summary>
    Cpu,
    /// <summary>TorchSharp-cpu references are restored as TorchSharp-cuda-linux.</summary>
    Cuda,
}
