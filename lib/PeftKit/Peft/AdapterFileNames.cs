namespace PeftKit;

/// <summary>The file names of a saved adapter, as the reference library writes them.</summary>
public static class AdapterFileNames
{
    /// <summary>The method's configuration.</summary>
    public const string Config = "adapter_config.json";

    /// <summary>The method's tensors.</summary>
    public const string Weights = "adapter_model.safetensors";
}
