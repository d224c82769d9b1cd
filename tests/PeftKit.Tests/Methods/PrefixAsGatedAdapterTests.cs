using PeftKit.Methods.PrefixTuning;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Methods;

/// <summary>
/// The unified view (He et al. 2022, §3.1): attention over [prefix; context] is the plain attention, interpolated with an
/// attention over the prefix alone by a gate λ(x) that depends on the input —
///   Attn(q, [P_k; K], [P_v; V]) = (1 − λ)·softmax(qKᵀ/√hs)V + λ·softmax(qP_kᵀ/√hs)P_v,
///   λ = Σᵢ exp(q·P_k,ᵢ/√hs) / (Σᵢ exp(q·P_k,ᵢ/√hs) + Σⱼ exp(q·K_j/√hs)),
/// so prefix tuning is a gated adapter running in parallel with the attention. Checked against the kit's own prefix
/// tuning: the first term is read from the frozen model's forward pass, the rest is computed by hand.
/// </summary>
public sealed class PrefixAsGatedAdapterTests
{
    const int Virtual = 3, T = 6, D = 32, Heads = 4, Hs = D / Heads;
    static readonly MethodRow Row = new("prefix-gate", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PrefixTuningConfig(Virtual, null), false, false, _ => 0);

    /// <summary>Layer 0's attention output with its heads side by side, (T, D): the input of <c>h.0.attn.c_proj</c>.</summary>
    static Tensor LayerZeroHeads(nn.Module model, Tensor ids)
    {
        var projection = (Module<Tensor, Tensor>)model.named_modules().Single(m => m.name.EndsWith("h.0.attn.c_proj", StringComparison.Ordinal)).module;
        Tensor? seen = null;
        // The forward pass disposes its temporaries: keep a copy outside its dispose scope.
        var hook = projection.register_forward_pre_hook((_, x) => { seen = x.detach().clone().DetachFromDisposeScope(); return x; });
        using (no_grad())
        using (((Module<ModelInput, ModelOutput>)model).call(new ModelInput(ids))) { }
        hook.remove();
        return seen![0];
    }

    [Fact]
    public void PrefixAttentionIsThePlainAttentionGatedWithAnAttentionOverThePrefixAlone()
    {
        using var model = Row.CreateBase();
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter.detach().clone());
        using var ids = tensor(new long[] { 5, 17, 42, 3, 28, 9 }, int64).unsqueeze(0);   // (1, T)
        using var plain = LayerZeroHeads(model, ids).view(T, Heads, Hs).to(float64);      // (T, nh, hs), the frozen model's

        using var peft = Peft.Apply(model, new PrefixTuningConfig(Virtual, null));        // P ~ N(0, 1): a gate far from 0 and 1
        using var prefixed = LayerZeroHeads(peft, ids).view(T, Heads, Hs).to(float64);    // (T, nh, hs), the kit's prefix tuning
        using var prefix = peft.named_parameters().Single(x => x.name.EndsWith(".prefix")).parameter.detach().to(float64);   // (n, 2L·d)
        using var pk = prefix[.., ..D].view(Virtual, Heads, Hs).permute(1, 0, 2);          // layer 0 key (nh, n, hs)
        using var pv = prefix[.., D..(2 * D)].view(Virtual, Heads, Hs).permute(1, 0, 2);   // layer 0 value (nh, n, hs)

        // Layer 0's queries and keys by hand: qkv = ln_1(wte[x] + wpe[0..T−1])·W + b, W (d, 3d); the prefix leaves the
        // real tokens at positions 0..T−1 and does not change the input of layer 0.
        using var h = functional.layer_norm(p["wte.weight"][ids[0]] + p["wpe.weight"][arange(T)], [D], p["h.0.ln_1.weight"], p["h.0.ln_1.bias"], 1e-5).to(float64);
        using var qkv = h.matmul(p["h.0.attn.c_attn.weight"].to(float64)) + p["h.0.attn.c_attn.bias"].to(float64);   // (T, 3d)
        using var q = qkv[.., ..D].view(T, Heads, Hs).permute(1, 0, 2);                    // (nh, T, hs)
        using var k = qkv[.., D..(2 * D)].view(T, Heads, Hs).permute(1, 0, 2);             // (nh, T, hs)

        double scale = 1 / Math.Sqrt(Hs);
        using var causal = ones(T, T, @bool).tril();                                       // query t sees context j ≤ t
        using var contextScores = q.matmul(k.transpose(1, 2)).mul(scale).masked_fill(causal.logical_not(), double.NegativeInfinity);   // (nh, T, T)
        using var prefixScores = q.matmul(pk.transpose(1, 2)).mul(scale);                  // (nh, T, n)
        using var gate = (prefixScores.logsumexp(2, true) - contextScores.logsumexp(2, true)).sigmoid();   // λ (nh, T, 1)
        using var adapter = prefixScores.softmax(2).matmul(pv);                            // softmax(qP_kᵀ/√hs)·P_v (nh, T, hs)
        using var expected = ((1 - gate) * plain.permute(1, 0, 2) + gate * adapter).permute(1, 0, 2);   // (T, nh, hs)

        // Not vacuous: the gate is far from 0 and 1, and the prefix moves the output by far more than the tolerance.
        Assert.InRange(gate.min().item<double>(), 0.05, 0.95);
        Assert.InRange(gate.max().item<double>(), 0.05, 0.95);
        Assert.True((prefixed - plain).abs().max().item<double>() > 0.05, "the prefix changes layer 0's attention");
        // The model computes in float32 (unit round-off 6e-8) over sums of ≤ 9 terms of size ≤ 3: 1e-6 leaves room for
        // that rounding and nothing else; a wrong gate or a missing term is off by > 1e-2.
        double error = (prefixed - expected).abs().max().item<double>();
        Assert.True(error < 1e-6, $"max |kit − gated form| = {error:E2}");
    }
}
