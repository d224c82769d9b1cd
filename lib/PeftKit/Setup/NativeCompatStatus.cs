namespace PeftKit.Setup;

/// <summary>What <see cref="KitTorch.Setup"/> did about TorchSharp's native library and the host's libstdc++.</summary>
/// <param name="Needed">The host lacks a symbol version TorchSharp's native library needs.</param>
/// <param name="FromCache">The patched library and shim came from the cache, not built in this call.</param>
/// <param name="CacheDirectory">Where the patched copy and shim live, when <paramref name="Needed"/>.</param>
/// <param name="Reason">One line a person can read.</param>
public sealed record NativeCompatStatus(bool Needed, bool FromCache, string? CacheDirectory, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Reason;
}
