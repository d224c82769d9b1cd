namespace PeftKit.Methods.Adapters;

/// <summary>The nonlinearity between an adapter's down and up projections.</summary>
public enum AdapterActivation
{
    /// <summary>GELU (erf form), as in google-research/adapter-bert.</summary>
    Gelu,

    /// <summary>ReLU (AdapterHub's Pfeiffer default).</summary>
    Relu,

    /// <summary>tanh.</summary>
    Tanh,
}
