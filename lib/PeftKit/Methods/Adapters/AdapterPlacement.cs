namespace PeftKit.Methods.Adapters;

/// <summary>Where bottleneck adapters go in each layer.</summary>
public enum AdapterPlacement
{
    /// <summary>Houlsby et al. 2019: after the attention output projection and after the feed-forward block (two per layer).</summary>
    Houlsby,

    /// <summary>Pfeiffer et al. 2021: after the feed-forward block only (one per layer).</summary>
    Pfeiffer,

    /// <summary>
    /// He et al. 2022: beside the feed-forward block (one per layer), reading the block's input and adding
    /// s·up(act(down(x))) to its output — the parallel adapter of the unified view.
    /// </summary>
    Parallel,
}
