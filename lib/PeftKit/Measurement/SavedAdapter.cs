using PeftKit.IO;

namespace PeftKit.Measurement;

/// <summary>
/// What an adapter costs once saved: the bytes <see cref="PeftModel.SaveAdapter"/> writes (adapter_config.json and
/// adapter_model.safetensors) and the parameters the safetensors file holds (after any consolidation the method does
/// on save, and the task head where it trains).
/// </summary>
/// <param name="Bytes">Sum of the saved files' sizes.</param>
/// <param name="Parameters">Elements of every tensor in adapter_model.safetensors.</param>
public sealed record SavedAdapter(long Bytes, long Parameters)
{
    /// <summary>Saves the model's active adapter into a temporary folder, measures it and deletes the folder.</summary>
    public static SavedAdapter Of(PeftModel peft)
    {
        ArgumentNullException.ThrowIfNull(peft);
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-size-" + Guid.NewGuid().ToString("N"));
        try
        {
            peft.SaveAdapter(dir);
            long bytes = new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            var (entries, _) = Safetensors.ReadHeader(Path.Combine(dir, "adapter_model.safetensors"));
            return new SavedAdapter(bytes, entries.Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b)));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
