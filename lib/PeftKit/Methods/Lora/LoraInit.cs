namespace PeftKit.Methods.Lora;

/// <summary>How lora_A starts (lora_B always starts at zero, so the model starts unchanged).</summary>
public enum LoraInit
{
    /// <summary>Kaiming-uniform with a = √5, i.e. U(−1/√d_in, 1/√d_in), as loralib and the reference library do.</summary>
    KaimingUniform,

    /// <summary>Normal with std 1/r: the reference library's "gaussian" (the paper says only "random Gaussian"; 1/r is the library's choice).</summary>
    Gaussian,
}
