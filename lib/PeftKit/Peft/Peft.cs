using PeftKit.Models;

namespace PeftKit;

/// <summary>Entry point: put a PEFT method on a model, or load a saved adapter onto one.</summary>
public static class Peft
{
    /// <summary>
    /// Wraps <paramref name="model"/> and adds <paramref name="config"/>'s method as adapter <paramref name="name"/>.
    /// Afterwards only the method's parameters (and the task head where it says so) are trainable.
    /// </summary>
    public static PeftModel Apply(TransformerModel model, PeftConfig config, string name = "default")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        var peft = new PeftModel(model);
        try { peft.AddAdapter(name, config); }
        catch { peft.Release(); throw; }   // a refused config leaves the model as it was, free for another Apply
        return peft;
    }

    /// <summary>Wraps <paramref name="model"/> and loads the adapter saved in <paramref name="directory"/> as <paramref name="name"/>.</summary>
    public static PeftModel Load(TransformerModel model, string directory, string name = "default")
    {
        ArgumentNullException.ThrowIfNull(model);
        var peft = new PeftModel(model);
        try { peft.LoadAdapter(directory, name); }
        catch { peft.Release(); throw; }   // LoadAdapter removed what it added; the model is free for another Load
        return peft;
    }
}
