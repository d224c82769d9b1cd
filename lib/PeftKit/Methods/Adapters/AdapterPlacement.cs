namespace PeftKit.Methods.Adapters;

/// <summary>Where bottleneck adapters go in each layer.</summary>
public enum AdapterPlacement
{
    /// <summary>Houlsby et al. 2019: after the attention output projection and after the feed-forward block (two per layer).</summary>
    Houlsby,

    /// <summary>Pfeiffer et al. 2021: after the feed-forward block only (one per layer).</summary>
    Pfeiffer,
}
