using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>BERT embeddings: word + position + token type, then LayerNorm and dropout.</summary>
internal sealed class BertEmbeddings : Module
{
    public readonly Embedding word_embeddings;
    readonly Embedding position_embeddings;
    readonly Embedding token_type_embeddings;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;

    public BertEmbeddings(TransformerConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize);
        position_embeddings = Embedding(config.MaxPositions, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>tokenEmbeds (B, T, d), positions (B, T), tokenTypes (B, T) → (B, T, d).</summary>
    public Tensor forward(Tensor tokenEmbeds, Tensor positions, Tensor tokenTypes) =>
        dropout.call(LayerNorm.call(tokenEmbeds + position_embeddings.call(positions) + token_type_embeddings.call(tokenTypes)));
}
