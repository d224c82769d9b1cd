namespace PeftKit.Measurement;

/// <summary>What a comparison says about a paper's claim, derived from the numbers (<see cref="SeededComparison"/>), never
/// chosen by hand.</summary>
public enum Verdict
{
    /// <summary>The claim holds beyond the noise: the 95% interval of the gap lies where the claim says.</summary>
    Reproduces,

    /// <summary>Improvement claims: the mean gap points the claimed way, but its interval still includes no difference.</summary>
    DirectionOnly,

    /// <summary>The numbers contradict the claim: an improvement that is zero or negative, or an equivalence whose whole
    /// interval lies outside the margin.</summary>
    DoesNot,

    /// <summary>Equivalence claims: the interval is neither inside the margin nor wholly outside it; more data would tell.</summary>
    Inconclusive,

    /// <summary>The experiment had no signal to test the claim with (e.g. the reference arm never beat the majority answer).</summary>
    NotTested,
}
