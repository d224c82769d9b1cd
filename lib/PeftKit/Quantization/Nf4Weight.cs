using static TorchSharp.torch;

namespace PeftKit.Quantization;

/// <summary>
/// 4-bit NormalFloat with double quantisation (Dettmers et al. 2023, QLoRA §3). The (out, in) matrix is read row-major
/// in blocks of 64 weights; block b keeps its absmax c_b and each weight the index of the nearest of the 16
/// <see cref="CodeBook"/> values to w / c_b, two indices per byte (first weight in the high nibble). Double
/// quantisation: the c_b (float32, one per 64 weights) are centred on their mean and stored as int8 in blocks of 256,
/// each with a float32 step, so a weight costs 4 + 8/64 + 32/(64·256) = 4.127 bits. The paper stores the centred
/// constants as 8-bit floats; symmetric int8 absmax is used here (same size, error bound below).
/// Error per weight: at most c_b · 0.1519 (half the widest code-book gap, −1 to −0.6962) + |c'_b − c_b|, where c'_b is the
/// restored constant and |c'_b − c_b| ≤ half the step of its 256-block.
/// </summary>
public sealed class Nf4Weight : QuantizedWeight
{
    /// <summary>Weights per absmax block (QLoRA: 64).</summary>
    public const int BlockSize = 64;

    /// <summary>Absmax constants per double-quantisation block (QLoRA: 256).</summary>
    public const int ConstantBlockSize = 256;

    /// <summary>
    /// The 16 NF4 values (QLoRA Appendix E; bitsandbytes' create_normal_map(0.9677083)): quantiles of N(0, 1) scaled to
    /// [−1, 1], 8 on the positive side and 7 on the negative side, plus an exact 0.
    /// </summary>
    public static IReadOnlyList<float> CodeBook { get; } =
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
        -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
        0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    ];

    Tensor _packed;     // (⌈n/64⌉·32) uint8: two code indices per byte
    Tensor _constants;  // (⌈blocks/256⌉·256) int8: centred absmax constants
    Tensor _steps;      // (⌈blocks/256⌉) float32: step of each 256-block of constants
    Tensor _mean;       // () float32: mean of the absmax constants
    readonly long _blocks;

    Nf4Weight(long outFeatures, long inFeatures, long blocks, Tensor packed, Tensor constants, Tensor steps, Tensor mean) : base(outFeatures, inFeatures)
    {
        _blocks = blocks;
        (_packed, _constants, _steps, _mean) = (packed, constants, steps, mean);
    }

    /// <summary>Quantises a float matrix (out, in); a last block shorter than 64 is padded with zeros.</summary>
    public static Nf4Weight Quantize(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new ArgumentException($"NF4 quantisation takes a matrix (out, in); got shape ({string.Join(", ", weight.shape)}).", nameof(weight));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = weight.device;
        var flat = Pad(weight.detach().to(float32).reshape(-1), BlockSize);             // (n′) n′ a multiple of 64
        long blocks = flat.shape[0] / BlockSize;
        var blocked = flat.view(blocks, BlockSize);                                     // (blocks, 64)
        var absmax = blocked.abs().amax([1]).clamp_min(float.Epsilon);                  // (blocks) c_b > 0
        var book = tensor(CodeBook.ToArray(), device: device);                          // (16)
        var midpoints = (book[1..] + book[..^1]) / 2;                                   // (15) nearest code = bucket
        var index = bucketize(blocked / absmax.unsqueeze(1), midpoints, true);          // (blocks, 64) int32 in 0..15
        var pairs = index.view(-1, 2);                                                  // (n′/2, 2)
        var packed = (pairs[.., 0] * 16 + pairs[.., 1]).to(uint8);                      // (n′/2) high nibble first

        // Double quantisation of the constants: centre, then symmetric int8 per block of 256.
        var mean = absmax.mean();                                                       // ()
        var centred = Pad(absmax - mean, ConstantBlockSize).view(-1, ConstantBlockSize); // (groups, 256)
        var (constants, steps) = Int8Weight.QuantizeRows(centred);                      // (groups, 256), (groups)
        return new Nf4Weight(weight.shape[0], weight.shape[1], blocks,
            packed.MoveToOuterDisposeScope(), constants.reshape(-1).MoveToOuterDisposeScope(), steps.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope());
    }

    /// <summary>Two 4-bit code indices per byte, the first weight in the high nibble.</summary>
    public Tensor Packed => _packed;

    /// <summary>The code indices (out·in) in 0..15, unpacked.</summary>
    public Tensor Indices() => Unpacked()[..(int)(OutFeatures * InFeatures)];

    /// <summary>(n′) int64 indices, padding included: each byte's high nibble, then its low nibble.</summary>
    Tensor Unpacked()
    {
        var p = _packed.to(int64);                                                       // (n′/2)
        return stack([p.div(16, rounding_mode: RoundingMode.floor), p.remainder(16)], 1).reshape(-1);   // (n′/2, 2) → (n′)
    }

    /// <summary>The absmax constants as restored from double quantisation (one per 64 weights).</summary>
    public Tensor Absmax()
    {
        var restored = Int8Weight.RestoreRows(_constants.view(-1, ConstantBlockSize), _steps) + _mean;   // (groups, 256)
        return restored.reshape(-1)[..(int)_blocks];                                    // (blocks)
    }

    /// <inheritdoc/>
    public override Tensor Dequantize()
    {
        using var scope = NewDisposeScope();
        // One lookup a byte: row b of the pair table is (code[b >> 4], code[b & 15]), so unpacking and decoding are one
        // index_select instead of shifts, a stack and a second gather (bench: the step cost of NF4 is this rebuild).
        var pairs = PairTable(_packed.device).index_select(0, _packed.to(int32));      // (n′/2, 2)
        var values = pairs.view(_blocks, BlockSize).mul_(Absmax().unsqueeze(1));        // (blocks, 64), scaled in place
        return values.reshape(-1)[..(int)(OutFeatures * InFeatures)].view(OutFeatures, InFeatures).MoveToOuterDisposeScope();   // (out, in)
    }

    /// <summary>(256, 2) float32: the two code-book values a packed byte stands for, high nibble first.</summary>
    static Tensor PairTable(Device device)
    {
        lock (PairTables)
        {
            if (!PairTables.TryGetValue(device.ToString(), out var table))
            {
                var values = Enumerable.Range(0, 256).SelectMany(b => new[] { CodeBook[b >> 4], CodeBook[b & 15] }).ToArray();
                table = tensor(values, [256, 2], device: device);
                table.DetachFromDisposeScope();
                PairTables[device.ToString()] = table;
            }
            return table;
        }
    }

    static readonly Dictionary<string, Tensor> PairTables = [];

    /// <inheritdoc/>
    public override void MoveTo(Device device)
    {
        (_packed, _constants, _steps, _mean) = (Move(_packed, device), Move(_constants, device), Move(_steps, device), Move(_mean, device));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Tensor> Stored => [_packed, _constants, _steps, _mean];

    static Tensor Pad(Tensor flat, int multiple)
    {
        long extra = (multiple - flat.shape[0] % multiple) % multiple;
        return extra == 0 ? flat : cat([flat, zeros(extra, flat.dtype, flat.device)]);
    }
}
