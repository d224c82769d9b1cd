using PeftKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.PTuning;

/// <summary>
/// P-Tuning's prompt encoder, applied as an input transform: the embeddings at pseudo-token positions are replaced,
/// in order, by the encoder's n outputs. Lstm: <c>embedding</c> (n, d) → <c>lstm_head</c> (2-layer BiLSTM, hidden h)
/// → <c>mlp_head</c> Linear(2h, 2h)–ReLU–Linear(2h, d). Mlp: <c>mlp_head</c> Linear(d, h)–ReLU–Linear(h, h)–ReLU–Linear(h, d).
/// After <see cref="Consolidate"/> only <c>embedding</c> remains, holding the outputs.
/// </summary>
public sealed class PromptEncoder : Module, IInputTransform
{
    readonly Embedding embedding;   // (n, d)
    LSTM? lstm_head;
    Sequential? mlp_head;
    readonly long _pseudo;

    /// <summary>An encoder of <paramref name="kind"/> producing <paramref name="length"/> vectors of width <paramref name="width"/>.</summary>
    public PromptEncoder(PromptEncoderKind kind, int length, int width, int hidden, double dropout, long pseudoTokenId) : base(nameof(PromptEncoder))
    {
        Length = length;
        _pseudo = pseudoTokenId;
        embedding = Embedding(length, width);
        if (kind == PromptEncoderKind.Lstm)
        {
            lstm_head = LSTM(width, hidden, numLayers: 2, batchFirst: true, dropout: dropout, bidirectional: true);
            mlp_head = Sequential(("0", Linear(2 * hidden, 2 * hidden)), ("1", ReLU()), ("2", Linear(2 * hidden, width)));
        }
        else if (kind == PromptEncoderKind.Mlp)
        {
            mlp_head = Sequential(("0", Linear(width, hidden)), ("1", ReLU()), ("2", Linear(hidden, hidden)), ("3", ReLU()), ("4", Linear(hidden, width)));
        }
        RegisterComponents();
    }

    /// <summary>n.</summary>
    public int Length { get; }

    /// <summary>Whether an LSTM/MLP encoder is still there.</summary>
    public bool HasEncoder => mlp_head is not null;

    internal Parameter Embeddings => embedding.weight!;

    /// <summary>The n pseudo-token embeddings (n, d).</summary>
    public Tensor Produce()
    {
        var e = embedding.weight!;                                              // (n, d)
        if (lstm_head is not null)
        {
            var (h, _, _) = lstm_head.call(e.unsqueeze(0), null);               // (1, n, 2h)
            return mlp_head!.call(h.squeeze(0));                                // (n, d)
        }
        return mlp_head is not null ? mlp_head.call(e) : e;                     // (n, d)
    }

    /// <inheritdoc/>
    public (Tensor embeds, Tensor mask) Transform(Tensor tokenEmbeds, Tensor inputIds, Tensor attentionMask)
    {
        var isPseudo = inputIds.eq(_pseudo);                                    // (B, T)
        using (var counts = isPseudo.sum(1))
            if (!counts.eq(Length).all().item<bool>())
                throw new ArgumentException(
                    $"Every row must hold exactly {Length} pseudo tokens (id {_pseudo}) as the template places them; got counts [{string.Join(", ", counts.data<long>().ToArray())}]. Build inputs with PTuningTemplate.Fill.");
        var order = (isPseudo.cumsum(1) - 1).clamp(0, Length - 1);             // (B, T): k-th pseudo token → prompt k
        // A one-hot product rather than Produce()[order]: the advanced index's backward (index_put_ with accumulate)
        // adds with atomics across CPU threads, so gradients changed in their last bits from run to run; a matmul's do
        // not, and 1·x + 0·y is exactly x, so the forward is unchanged.
        using var pick = nn.functional.one_hot(order, Length).to(tokenEmbeds.dtype);    // (B, T, n)
        var prompts = pick.matmul(Produce().to(tokenEmbeds.dtype));            // (B, T, n) @ (n, d) → (B, T, d)
        return (where(isPseudo.unsqueeze(-1), prompts, tokenEmbeds), attentionMask);   // (B, T, d)
    }

    /// <inheritdoc/>
    public Tensor RealTokenIndex(Tensor inputIds) =>
        arange(inputIds.shape[1], int64, inputIds.device).unsqueeze(0).expand(inputIds.shape[0], -1);   // (B, T): no insertion

    /// <summary>Stores the encoder's outputs in <c>embedding</c> and drops the LSTM/MLP.</summary>
    public void Consolidate()
    {
        if (mlp_head is null) return;
        using (no_grad())
        {
            using var produced = Produce().detach().clone();
            embedding.weight!.copy_(produced);
        }
        register_module(nameof(lstm_head), null!);
        register_module(nameof(mlp_head), null!);
        lstm_head?.Dispose();
        mlp_head.Dispose();
        lstm_head = null;
        mlp_head = null;
    }
}
