namespace PeftKit.Measurement;

/// <summary>What an adapter costs on disk: the bytes <see cref="PeftModel.SaveAdapter"/> writes (config JSON and safetensors).</summary>
public static class AdapterBytes
{
    /// <summary>Saves the model's adapter into a temporary folder, sums its files' sizes and deletes the folder.</summary>
    public static long Of(PeftModel peft)
    {
        ArgumentNullException.ThrowIfNull(peft);
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-size-" + Guid.NewGuid().ToString("N"));
        try
        {
            peft.SaveAdapter(dir);
            return new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
