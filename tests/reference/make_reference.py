#!/usr/bin/python3
"""Independent reference for PeftKit's TransformerModel.FromPretrained.

Writes small random-weight checkpoint folders in the Hugging Face layout (config.json as transformers writes it,
model.safetensors or a sharded model.safetensors.index.json, the tokenizer files) and the outputs a forward pass
must give on them, computed here in float64 from the papers' definitions:

  GPT-2 (Radford et al. 2019): pre-LayerNorm blocks, gelu_new (the tanh approximation), causal self-attention,
         Conv1D weights stored (in, out), LM head tied to wte.
  BERT  (Devlin et al. 2019): post-LayerNorm blocks, erf GELU, token-type embeddings, pooler tanh(W h[CLS] + b),
         MLM head LayerNorm(gelu(W h + b)) @ word_embeddings^T + bias.

Positions: BERT counts 0..T-1 whatever the mask (transformers' BertEmbeddings); GPT-2 takes cumsum(mask) - 1,
clamped at 0, as transformers' GPT-2 generate derives position_ids from a left-padded attention mask.

Shares no code with the kit (torch only, no transformers, no safetensors package: the file format is written by hand
from its spec). Usage: /usr/bin/python3 make_reference.py OUT_DIR
"""
import json
import math
import os
import struct
import sys

import torch

B, T = 3, 6
LENGTHS = [6, 4, 2]          # real tokens per row; the rest is padding
F32_BYTES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.int64: ("I64", "<i8")}


# ----------------------------------------------------------------------------------------------------------------
# safetensors, from the spec: u64 little-endian header length N, N bytes of JSON, then the raw little-endian data.
def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype, np_type = F32_BYTES[t.dtype]
        data = t.numpy().astype(np_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_weights(folder, tensors, shards=1):
    """model.safetensors, or `shards` files plus model.safetensors.index.json (weight_map: key -> file)."""
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors, {"format": "pt"})
        return
    names = sorted(tensors)
    per = math.ceil(len(names) / shards)
    weight_map, total = {}, 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n] for n in names[s * per:(s + 1) * per]}
        write_safetensors(os.path.join(folder, file), part, {"format": "pt"})
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    write_json(os.path.join(folder, "model.safetensors.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")


# ----------------------------------------------------------------------------------------------------------------
# The maths, float64 throughout.
def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)            # biased variance, as in the papers' LayerNorm
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def attention(q, k, v, allowed, nh):
    """q, k, v (B, T, d); allowed (B, T, T) bool, query x key -> (B, T, d)."""
    b, t, d = q.shape
    hs = d // nh
    split = lambda x: x.view(b, t, nh, hs).transpose(1, 2)                    # (B, nh, T, hs)
    scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(hs)            # (B, nh, T, T)
    scores = scores.masked_fill(~allowed[:, None], torch.finfo(scores.dtype).min)
    y = torch.softmax(scores, -1) @ split(v)                                  # (B, nh, T, hs)
    return y.transpose(1, 2).reshape(b, t, d)


def gpt2_forward(w, cfg, ids, mask, positions):
    """Returns (last hidden (B, T, d), LM logits (B, T, V))."""
    d, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    x = w["wte.weight"][ids] + w["wpe.weight"][positions]
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    allowed = causal[None] & mask.bool()[:, None, :]                          # (B, T, T)
    for i in range(cfg["n_layer"]):
        p = lambda n: w[f"h.{i}.{n}"]
        a = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), eps)
        q, k, v = (a @ p("attn.c_attn.weight") + p("attn.c_attn.bias")).split(d, -1)   # Conv1D: x @ W(in, out)
        x = x + attention(q, k, v, allowed, nh) @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        m = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), eps)
        x = x + gelu_tanh(m @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias")) @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x, x @ w["wte.weight"].T


def bert_forward(w, cfg, ids, mask, types, positions):
    """Returns (last hidden (B, T, d), pooled (B, d) or None, MLM logits (B, T, V) or None)."""
    eps, nh = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    lin = lambda x, n: x @ w[n + ".weight"].T + w[n + ".bias"]               # nn.Linear: weight (out, in)
    ln = lambda x, n: layer_norm(x, w[n + ".weight"], w[n + ".bias"], eps)
    e = "embeddings."
    x = w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][positions] + w[e + "token_type_embeddings.weight"][types]
    x = ln(x, e + "LayerNorm")
    allowed = mask.bool()[:, None, :].expand(B, T, T)                         # every query sees every real key
    for i in range(cfg["num_hidden_layers"]):
        L = f"encoder.layer.{i}."
        s = L + "attention.self."
        ctx = attention(lin(x, s + "query"), lin(x, s + "key"), lin(x, s + "value"), allowed, nh)
        x = ln(x + lin(ctx, L + "attention.output.dense"), L + "attention.output.LayerNorm")
        x = ln(x + lin(gelu_erf(lin(x, L + "intermediate.dense")), L + "output.dense"), L + "output.LayerNorm")
    pooled = torch.tanh(lin(x[:, 0], "pooler.dense")) if "pooler.dense.weight" in w else None
    logits = None
    if "cls.predictions.bias" in w:
        t = ln(gelu_erf(lin(x, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm")
        logits = t @ w[e + "word_embeddings.weight"].T + w["cls.predictions.bias"]
    return x, pooled, logits


# ----------------------------------------------------------------------------------------------------------------
# Random weights (float32, what is stored; the maths reads them as float64) and batches.
def rand(gen, *shape, std=0.2):
    return (torch.randn(*shape, generator=gen) * std).float()


def norm_params(gen, d):
    return 1.0 + rand(gen, d, std=0.1), rand(gen, d, std=0.1)


def gpt2_weights(cfg, gen):
    d, f = cfg["n_embd"], cfg["n_inner"] or 4 * cfg["n_embd"]
    w = {"wte.weight": rand(gen, cfg["vocab_size"], d, std=0.5), "wpe.weight": rand(gen, cfg["n_positions"], d, std=0.5)}
    for i in range(cfg["n_layer"]):
        p = f"h.{i}."
        w[p + "ln_1.weight"], w[p + "ln_1.bias"] = norm_params(gen, d)
        w[p + "ln_2.weight"], w[p + "ln_2.bias"] = norm_params(gen, d)
        for name, shape in [("attn.c_attn", (d, 3 * d)), ("attn.c_proj", (d, d)), ("mlp.c_fc", (d, f)), ("mlp.c_proj", (f, d))]:
            w[p + name + ".weight"], w[p + name + ".bias"] = rand(gen, *shape), rand(gen, shape[1], std=0.1)
    w["ln_f.weight"], w["ln_f.bias"] = norm_params(gen, d)
    return w


def bert_weights(cfg, gen, pooler=True, mlm=True):
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    e = "embeddings."
    w = {e + "word_embeddings.weight": rand(gen, cfg["vocab_size"], d, std=0.5),
         e + "position_embeddings.weight": rand(gen, cfg["max_position_embeddings"], d, std=0.5),
         e + "token_type_embeddings.weight": rand(gen, cfg["type_vocab_size"], d, std=0.5)}
    w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"] = norm_params(gen, d)

    def linear(name, n_in, n_out):
        w[name + ".weight"], w[name + ".bias"] = rand(gen, n_out, n_in), rand(gen, n_out, std=0.1)

    for i in range(cfg["num_hidden_layers"]):
        L = f"encoder.layer.{i}."
        for n in ("query", "key", "value"):
            linear(L + "attention.self." + n, d, d)
        linear(L + "attention.output.dense", d, d)
        w[L + "attention.output.LayerNorm.weight"], w[L + "attention.output.LayerNorm.bias"] = norm_params(gen, d)
        linear(L + "intermediate.dense", d, f)
        linear(L + "output.dense", f, d)
        w[L + "output.LayerNorm.weight"], w[L + "output.LayerNorm.bias"] = norm_params(gen, d)
    if pooler:
        linear("pooler.dense", d, d)
    if mlm:
        linear("cls.predictions.transform.dense", d, d)
        w["cls.predictions.transform.LayerNorm.weight"], w["cls.predictions.transform.LayerNorm.bias"] = norm_params(gen, d)
        w["cls.predictions.bias"] = rand(gen, cfg["vocab_size"], std=0.1)
    return w


def batches(gen, vocab, encoder):
    """{'right': (ids, mask, types), 'left': ...}: the same real tokens, padded on either side with id 0."""
    real = torch.randint(1, vocab, (B, T), generator=gen)
    out = {}
    for side in ("right", "left"):
        ids = torch.zeros(B, T, dtype=torch.int64)
        mask = torch.zeros(B, T, dtype=torch.int64)
        types = torch.zeros(B, T, dtype=torch.int64)
        for b, n in enumerate(LENGTHS):
            cols = slice(0, n) if side == "right" else slice(T - n, T)
            ids[b, cols] = real[b, :n]
            mask[b, cols] = 1
            if encoder:
                types[b, cols] = (torch.arange(n) >= n // 2).long()       # second segment: the back half
        out[side] = (ids, mask, types)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Tokenizer files and the ids they were built to give.
GPT2_VOCAB = {"h": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "r": 6, "d": 7, "he": 8, "ll": 9, "hell": 10,
              "hello": 11, "\u0120w": 12, "or": 13, "\u0120wor": 14, "\u0120worl": 15, "\u0120world": 16, "<|endoftext|>": 17}
GPT2_MERGES = ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r", "\u0120w or", "\u0120wor l", "\u0120worl d"]
GPT2_CASES = [("hello world", [11, 16]), ("hello  w", [11, 4, 12]), ("world", [5, 13, 2, 7]), ("hello<|endoftext|>", [11, 17])]
BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "quick", "brown", "fox", "##es", "jump", "##ed", "."]
BERT_UNCASED_CASES = [("The quick foxes jumped.", [2, 5, 6, 8, 9, 10, 11, 12, 3]), ("the zebra", [2, 5, 1, 3])]
BERT_CASED_CASES = [("The quick fox", [2, 1, 6, 8, 3]), ("the fox", [2, 5, 8, 3])]


def gpt2_tokenizer(folder):
    write_json(os.path.join(folder, "vocab.json"), GPT2_VOCAB)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(GPT2_MERGES) + "\n")


def bert_tokenizer(folder, lower):
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(BERT_VOCAB) + "\n")
    write_json(os.path.join(folder, "tokenizer_config.json"), {"do_lower_case": lower, "model_max_length": 16, "tokenizer_class": "BertTokenizer"})


# ----------------------------------------------------------------------------------------------------------------
def gpt2_config(architecture, n_inner):
    # The fields transformers' GPT2Config.save_pretrained writes (values for a tiny model).
    return {"activation_function": "gelu_new", "architectures": [architecture], "attn_pdrop": 0.1, "bos_token_id": 17,
            "embd_pdrop": 0.1, "eos_token_id": 17, "initializer_range": 0.02, "layer_norm_epsilon": 1e-05,
            "model_type": "gpt2", "n_ctx": 16, "n_embd": 32, "n_head": 4, "n_inner": n_inner, "n_layer": 2,
            "n_positions": 16, "reorder_and_upcast_attn": False, "resid_pdrop": 0.1, "scale_attn_by_inverse_layer_idx": False,
            "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
            "summary_type": "cls_index", "summary_use_proj": True, "torch_dtype": "float32", "transformers_version": "4.46.3",
            "use_cache": True, "vocab_size": 64}


def bert_config(architecture):
    return {"architectures": [architecture], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
            "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02,
            "intermediate_size": 48, "layer_norm_eps": 1e-12, "max_position_embeddings": 16, "model_type": "bert",
            "num_attention_heads": 4, "num_hidden_layers": 2, "pad_token_id": 0, "position_embedding_type": "absolute",
            "torch_dtype": "float32", "transformers_version": "4.46.3", "type_vocab_size": 2, "use_cache": True, "vocab_size": 40}


def make_gpt2(out, name, gen, prefix, lm_head_copy, attn_bias_buffers, shards, n_inner):
    folder = os.path.join(out, name)
    os.makedirs(folder)
    cfg = gpt2_config("GPT2LMHeadModel", n_inner)
    write_json(os.path.join(folder, "config.json"), cfg)
    w = gpt2_weights(cfg, gen)
    stored = {prefix + k: v for k, v in w.items()}
    if attn_bias_buffers:   # the causal-mask buffer older checkpoints carry (openai-community/gpt2's file does)
        for i in range(cfg["n_layer"]):
            stored[f"{prefix}h.{i}.attn.bias"] = torch.ones(1, 1, 16, 16).tril().float()
    if lm_head_copy:
        stored["lm_head.weight"] = w["wte.weight"].clone()
    write_weights(folder, stored, shards)
    gpt2_tokenizer(folder)
    w64 = {k: v.double() for k, v in w.items()}
    expected = {}
    for side, (ids, mask, _) in batches(gen, cfg["vocab_size"], encoder=False).items():
        positions = (mask.cumsum(1) - 1).clamp(min=0)           # what GPT-2 generate derives from the mask
        hidden, logits = gpt2_forward(w64, cfg, ids, mask, positions)
        expected.update({f"input_ids_{side}": ids, f"attention_mask_{side}": mask, f"hidden_{side}": hidden, f"logits_{side}": logits})
    write_safetensors(os.path.join(out, "expected", name + ".safetensors"), expected)


def make_bert(out, name, gen, architecture, prefix, pooler, mlm, extra_heads, shards, lower):
    folder = os.path.join(out, name)
    os.makedirs(folder)
    cfg = bert_config(architecture)
    write_json(os.path.join(folder, "config.json"), cfg)
    w = bert_weights(cfg, gen, pooler=pooler, mlm=mlm)
    body = lambda k: not k.startswith("cls.")
    stored = {(prefix + k if body(k) else k): v for k, v in w.items()}
    if extra_heads:         # BertForPreTraining also holds next-sentence prediction
        stored["cls.seq_relationship.weight"] = rand(gen, 2, cfg["hidden_size"])
        stored["cls.seq_relationship.bias"] = rand(gen, 2)
    write_weights(folder, stored, shards)
    bert_tokenizer(folder, lower)
    w64 = {k: v.double() for k, v in w.items()}
    expected = {}
    for side, (ids, mask, types) in batches(gen, cfg["vocab_size"], encoder=True).items():
        positions = torch.arange(T).expand(B, T)               # BertEmbeddings: 0..T-1 whatever the mask
        hidden, pooled, logits = bert_forward(w64, cfg, ids, mask, types, positions)
        expected.update({f"input_ids_{side}": ids, f"attention_mask_{side}": mask, f"token_type_ids_{side}": types, f"hidden_{side}": hidden})
        if pooled is not None:
            expected[f"pooled_{side}"] = pooled
        if logits is not None:
            expected[f"logits_{side}"] = logits
    write_safetensors(os.path.join(out, "expected", name + ".safetensors"), expected)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_reference.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    gen = torch.Generator().manual_seed(20)
    # GPT2LMHeadModel as transformers saves it: transformer.* keys, the tied lm_head.weight dropped, n_inner null.
    make_gpt2(out, "gpt2-lm", gen, "transformer.", lm_head_copy=False, attn_bias_buffers=False, shards=1, n_inner=None)
    # The older layout (openai-community/gpt2): bare keys, attn.bias buffers, a stored copy of the tied head; sharded.
    make_gpt2(out, "gpt2-bare-sharded", gen, "", lm_head_copy=True, attn_bias_buffers=True, shards=2, n_inner=48)
    # bert-base-uncased's layout: BertForPreTraining, bert.* with the pooler, MLM and next-sentence heads.
    make_bert(out, "bert-pretraining", gen, "BertForPreTraining", "bert.", pooler=True, mlm=True, extra_heads=True, shards=1, lower=True)
    # BertModel: bare keys, pooler, no head; sharded; a cased vocabulary.
    make_bert(out, "bert-model-sharded", gen, "BertModel", "", pooler=True, mlm=False, extra_heads=False, shards=3, lower=False)
    # BertForMaskedLM: transformers builds it without a pooler, so the file has none.
    make_bert(out, "bert-mlm-no-pooler", gen, "BertForMaskedLM", "bert.", pooler=False, mlm=True, extra_heads=False, shards=1, lower=True)
    write_json(os.path.join(out, "expected", "tokenizers.json"), {
        "gpt2": [{"text": t, "ids": i} for t, i in GPT2_CASES],
        "bert_uncased": [{"text": t, "ids": i} for t, i in BERT_UNCASED_CASES],
        "bert_cased": [{"text": t, "ids": i} for t, i in BERT_CASED_CASES]})


if __name__ == "__main__":
    main()
