using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Models;

internal sealed class RandomPrefix(int length, int heads, int hs, bool none = false) : IPrefixProvider
{
    readonly Tensor _k = randn(1, heads, length, hs), _v = randn(1, heads, length, hs);
    public int Length => length;
    public (Tensor key, Tensor value)? ForLayer(int layer, int batchSize) =>
        none ? null : (_k.expand(batchSize, -1, -1, -1), _v.expand(batchSize, -1, -1, -1));
}
