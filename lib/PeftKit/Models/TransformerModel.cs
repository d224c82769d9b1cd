using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// One compact Transformer in two layouts whose module names are the Hugging Face checkpoint keys:
/// a GPT-2 decoder (<c>wte, wpe, h.{i}.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}, ln_f</c>) and a
/// BERT encoder (<c>embeddings.*, encoder.layer.{i}.*, pooler.dense</c>), plus an optional head. PEFT methods attach
/// through four explicit extension points: <see cref="ReplaceSubmodule"/>, <see cref="SetSublayerAdapter"/>,
/// <see cref="InputTransform"/> and <see cref="Prefix"/>.
/// </summary>
public sealed partial class TransformerModel : Module<ModelInput, ModelOutput>
{
    // GPT-2 body (null in an encoder). Field names are checkpoint keys.
    readonly Embedding? wte;                   // (V, d), also the tied LM head
    readonly Embedding? wpe;                   // (P, d)
    readonly Dropout? drop;
    readonly ModuleList<Gpt2Block>? h;
    readonly LayerNorm? ln_f;

    // BERT body (null in a decoder).
    readonly BertEmbeddings? embeddings;
    readonly BertEncoder? encoder;
    readonly BertPooler? pooler;

    // Heads (null unless attached).
    BertMlmHead? cls;                          // MLM head of an encoder
    Dropout? dropout;                          // before classifier
    Module<Tensor, Tensor>? score;             // decoder sequence classification, Linear (d → labels), no bias
    Module<Tensor, Tensor>? classifier;        // encoder sequence / any token classification, Linear (d → labels)

    /// <summary>
    /// Builds a randomly initialised model (weights ~ N(0, InitStd²), biases 0, LayerNorm 1/0).
    /// <paramref name="head"/> null picks the pretraining head: LM for a decoder, MLM for an encoder.
    /// </summary>
    public TransformerModel(TransformerConfig config, HeadKind? head = null, int numLabels = 0) : base(nameof(TransformerModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        if (config.Kind == ModelKind.Decoder)
        {
            wte = Embedding(config.VocabSize, config.HiddenSize);
            wpe = Embedding(config.MaxPositions, config.HiddenSize);
            drop = Dropout(config.Dropout);
            h = new ModuleList<Gpt2Block>([.. Enumerable.Range(0, config.NumLayers).Select(i => new Gpt2Block(config, i))]);
            ln_f = LayerNorm(config.HiddenSize, config.LayerNormEps);
        }
        else
        {
            embeddings = new BertEmbeddings(config);
            encoder = new BertEncoder(config);
            pooler = new BertPooler(config);
        }
        RegisterComponents();
        InitializeWeights(this, config.InitStd);
        WithHead(head ?? (config.Kind == ModelKind.Decoder ? HeadKind.LanguageModel : HeadKind.MaskedLanguageModel), numLabels);
    }

    /// <summary>The configuration the model was built from.</summary>
    public TransformerConfig Config { get; }

    /// <summary>The head currently attached.</summary>
    public HeadKind Head { get; private set; }

    /// <summary>Number of labels of a classification head (0 otherwise).</summary>
    public int NumLabels { get; private set; }

    /// <summary><c>wte</c> (decoder) or <c>embeddings.word_embeddings</c> (encoder); the LM/MLM heads reuse its weight.</summary>
    public Embedding WordEmbeddings => wte ?? embeddings!.word_embeddings;

    /// <summary>Extension point 3: transforms the input embeddings (prompt tuning, P-Tuning v1); null = none.</summary>
    public IInputTransform? InputTransform { get; set; }

    /// <summary>Extension point 4: per-layer key/value prefixes (prefix tuning, P-Tuning v2); null = none.</summary>
    public IPrefixProvider? Prefix { get; set; }

    /// <summary>Attaches a sequence-classification head (<c>score</c> for a decoder, <c>classifier</c> for an encoder), replacing the current head.</summary>
    public TransformerModel WithClassificationHead(int numLabels) => WithHead(HeadKind.SequenceClassification, numLabels);

    /// <summary>Attaches a token-classification head (<c>classifier</c>), replacing the current head.</summary>
    public TransformerModel WithTokenClassificationHead(int numLabels) => WithHead(HeadKind.TokenClassification, numLabels);

    /// <summary>Replaces the current head by <paramref name="head"/>; new head weights are initialised like the body's.</summary>
    public TransformerModel WithHead(HeadKind head, int numLabels = 0)
    {
        bool decoder = Config.Kind == ModelKind.Decoder;
        bool classifies = head is HeadKind.SequenceClassification or HeadKind.TokenClassification;
        if (head == HeadKind.LanguageModel && !decoder)
            throw new ArgumentException("The LanguageModel head is for decoders; an encoder uses MaskedLanguageModel.", nameof(head));
        if (head == HeadKind.MaskedLanguageModel && decoder)
            throw new ArgumentException("The MaskedLanguageModel head is for encoders; a decoder uses LanguageModel.", nameof(head));
        if (classifies && numLabels < 1)
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "A classification head needs numLabels >= 1.");
        if (!classifies && numLabels != 0)
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, $"The {head} head takes no labels count; pass 0.");

        var device = WordEmbeddings.weight!.device;
        var dtype = WordEmbeddings.weight!.dtype;
        T Place<T>(T m) where T : Module { InitializeWeights(m, Config.InitStd); m.to(device).to(dtype); return m; }

        cls = head == HeadKind.MaskedLanguageModel ? Place(new BertMlmHead(Config)) : null;
        dropout = classifies ? Dropout(Config.Dropout) : null;
        score = head == HeadKind.SequenceClassification && decoder ? Place(Linear(Config.HiddenSize, numLabels, hasBias: false)) : null;
        classifier = classifies && score is null ? Place(Linear(Config.HiddenSize, numLabels)) : null;
        ModuleTree.SetChild(this, nameof(cls), cls);
        ModuleTree.SetChild(this, nameof(dropout), dropout);
        ModuleTree.SetChild(this, nameof(score), score);
        ModuleTree.SetChild(this, nameof(classifier), classifier);
        Head = head;
        NumLabels = numLabels;
        return this;
    }

    /// <summary>
    /// Extension point 1: the Linear-like module at <paramref name="dottedName"/> (a name from named_modules(),
    /// e.g. "h.0.attn.c_attn" or "encoder.layer.0.attention.self.query").
    /// </summary>
    /// <exception cref="ArgumentException">No such module, or it is not a Tensor → Tensor module; the message lists the Linear-like names.</exception>
    public Module<Tensor, Tensor> GetSubmodule(string dottedName)
    {
        ArgumentException.ThrowIfNullOrEmpty(dottedName);
        var found = ModuleTree.Find(this, dottedName);
        return found as Module<Tensor, Tensor> ?? throw new ArgumentException(
            (found is null ? $"No submodule named '{dottedName}'." : $"'{dottedName}' is a {found.GetType().Name}, not a Tensor → Tensor module.") +
            $" Linear-like modules of this model: {string.Join(", ", LinearModuleNames())}.", nameof(dottedName));
    }

    /// <summary>
    /// Extension point 1: puts <paramref name="replacement"/> where <paramref name="dottedName"/> was (forward uses it,
    /// named_modules() lists it under the same name). The replacement usually wraps the original (LoRA, IA3).
    /// </summary>
    public void ReplaceSubmodule(string dottedName, Module<Tensor, Tensor> replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        GetSubmodule(dottedName);   // validates the name with a helpful message
        int dot = dottedName.LastIndexOf('.');
        var parent = dot < 0 ? this : ModuleTree.Find(this, dottedName[..dot])!;
        ModuleTree.Replace(parent, dottedName[(dot + 1)..], dottedName, replacement);
    }

    /// <summary>Dotted names of every torch Linear and GPT-2 <see cref="Conv1D"/> in the model (heads included).</summary>
    public IReadOnlyList<string> LinearModuleNames() =>
        [.. named_modules().Where(m => m.module is TorchSharp.Modules.Linear or Conv1D).Select(m => m.name)];

    /// <summary>
    /// Extension point 2: applies <paramref name="adapter"/> to the output of a sublayer of block <paramref name="layer"/>
    /// (after its output projection and dropout, before the residual add / BERT's add+LayerNorm). It is registered as
    /// <c>h.{i}.attn_adapter</c> / <c>h.{i}.mlp_adapter</c> (decoder) or
    /// <c>encoder.layer.{i}.attention.output.adapter</c> / <c>encoder.layer.{i}.output.adapter</c> (encoder); null removes it.
    /// </summary>
    public void SetSublayerAdapter(int layer, Sublayer which, Module<Tensor, Tensor>? adapter) => Block(layer).SetAdapter(which, adapter);

    /// <summary>
    /// Extension point 2, parallel form (He et al. 2022): adds <paramref name="adapter"/>'s output, computed from the
    /// sublayer's input (what its first matrix reads: after ln_1 / ln_2 in GPT-2, the block's input in a post-LN
    /// encoder), to the sublayer's output before the residual add. Registered as <c>h.{i}.attn_parallel_adapter</c> /
    /// <c>h.{i}.mlp_parallel_adapter</c> or <c>encoder.layer.{i}.attention.output.parallel_adapter</c> /
    /// <c>encoder.layer.{i}.output.parallel_adapter</c>; null removes it. The adapter returns only its contribution.
    /// </summary>
    public void SetParallelAdapter(int layer, Sublayer which, Module<Tensor, Tensor>? adapter) => Block(layer).SetParallelAdapter(which, adapter);

    ISublayerAdapterHost Block(int layer) =>
        layer < 0 || layer >= Config.NumLayers
            ? throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The model has layers 0..{Config.NumLayers - 1}.")
            : h is not null ? h[layer] : encoder!.layer[layer];

    static void InitializeWeights(Module root, double std)
    {
        using var _ = no_grad();
        foreach (var (_, m) in root.named_modules().Prepend(("", root)))
        {
            if (m is TorchSharp.Modules.Linear lin) { lin.weight!.normal_(0, std); lin.bias?.zero_(); }
            else if (m is Embedding emb) emb.weight!.normal_(0, std);
        }
    }
}
