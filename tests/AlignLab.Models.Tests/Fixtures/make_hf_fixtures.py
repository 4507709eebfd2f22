#!/usr/bin/python3
"""Builds the tiny Hugging Face model folders under hf/ and their expected per-token log-probs (hf/expected.json),
and tiny reward-model folders (*ForSequenceClassification, one per architecture) with their expected rewards
(hf/expected_rewards.json).

An independent reference for AlignLab's C# architectures: each forward pass below follows transformers' modeling code
(models/gpt2, models/llama, models/qwen2, models/gpt_neox: eager attention) step by step, in plain PyTorch, and the
safetensors files are written here byte by byte (8-byte little-endian header length, JSON header, raw data), so
nothing is shared with the C# side. Run with Debian's torch:  /usr/bin/python3 make_hf_fixtures.py
Weights are random but not small (std 0.2, norm weights near 1), so the log-probs are far from uniform. Half-precision
folders store rounded weights; the reference computes in float32 from the rounded values, as AlignLab does on CPU.
"""
import json
import math
import os
import shutil
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hf")
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


# ---------------------------------------------------------------- safetensors writer
def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        # bfloat16 has no numpy type: reinterpret its bits as int16 to get the raw little-endian bytes.
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def save_folder(name, config, tensors, dtype, shards=1, extra=None):
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    stored = {k: v.to(DTYPES[dtype]) for k, v in tensors.items()}
    stored.update(extra or {})
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), stored)
    else:
        names = sorted(stored)
        weight_map = {}
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = names[s::shards]
            write_safetensors(os.path.join(folder, file), {k: stored[k] for k in part})
            weight_map.update({k: file for k in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
    # The reference computes with what was stored, upcast to float32.
    return {k: v.to(DTYPES[dtype]).float() for k, v in tensors.items()}


def rand(*shape, std=0.2):
    return torch.randn(*shape) * std


def norm_weight(n):
    return 1 + 0.1 * torch.randn(n)


# ---------------------------------------------------------------- shared pieces (transformers' helpers)
def gelu_new(x):  # activations.NewGELUActivation
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT = {"gelu_new": gelu_new, "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu}


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def rms_norm(x, w, eps):  # LlamaRMSNorm
    variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rotary_cos_sin(dim, base, position_ids):  # LlamaRotaryEmbedding / GPTNeoXRotaryEmbedding
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[:, None], emb.sin()[:, None]  # unsqueeze_dim=1


def causal_softmax_attention(q, k, v, scale, sliding_window=None):
    # eager attention: scores + causal mask (finfo.min), softmax in float32, weights @ v
    t = q.shape[-2]
    scores = torch.matmul(q, k.transpose(2, 3)) * scale
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    if sliding_window is not None:
        # Mistral: key j is masked when j <= i - sliding_window (sliding_attend_mask in modeling_mistral)
        causal &= ~(torch.arange(t)[None, :] <= (torch.arange(t)[:, None] - sliding_window))
    scores = torch.where(causal, scores, torch.tensor(torch.finfo(scores.dtype).min))
    weights = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(weights, v)


# ---------------------------------------------------------------- GPT-2 (modeling_gpt2)
def gpt2_forward(w, cfg, ids, prefix):
    return gpt2_hidden(w, cfg, ids, prefix) @ w[prefix + "wte.weight"].T


def gpt2_hidden(w, cfg, ids, prefix):
    p = prefix
    d, h = cfg["n_embd"], cfg["n_head"]
    dh = d // h
    conv1d = lambda x, name: torch.addmm(w[name + ".bias"], x.view(-1, x.shape[-1]), w[name + ".weight"]).view(*x.shape[:-1], -1)
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][torch.arange(ids.shape[1])][None]
    for i in range(cfg["n_layer"]):
        b = f"{p}h.{i}."
        a = layer_norm(x, w[b + "ln_1.weight"], w[b + "ln_1.bias"], cfg["layer_norm_epsilon"])
        q, k, v = conv1d(a, b + "attn.c_attn").split(d, dim=2)
        split = lambda t: t.view(t.shape[0], t.shape[1], h, dh).permute(0, 2, 1, 3)
        q, k, v = split(q), split(k), split(v)
        o = causal_softmax_attention(q, k, v, 1.0 / (v.shape[-1] ** 0.5))  # value.size(-1) after the head split
        o = o.permute(0, 2, 1, 3).contiguous().view(x.shape)
        x = x + conv1d(o, b + "attn.c_proj")
        m = layer_norm(x, w[b + "ln_2.weight"], w[b + "ln_2.bias"], cfg["layer_norm_epsilon"])
        x = x + conv1d(ACT[cfg["activation_function"]](conv1d(m, b + "mlp.c_fc")), b + "mlp.c_proj")
    return layer_norm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"], cfg["layer_norm_epsilon"])


def gpt2_fixture(name, dtype, prefix, shards):
    cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 64, "n_embd": 32, "n_layer": 2,
           "n_head": 4, "n_positions": 32, "n_inner": None, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
           "bos_token_id": 0, "eos_token_id": 0, "tie_word_embeddings": True}
    p = "transformer." if prefix else ""
    d, f = 32, 128
    t = {p + "wte.weight": rand(64, d), p + "wpe.weight": rand(32, d), p + "ln_f.weight": norm_weight(d), p + "ln_f.bias": rand(d, std=0.1)}
    extra = {}
    for i in range(2):
        b = f"{p}h.{i}."
        t.update({b + "ln_1.weight": norm_weight(d), b + "ln_1.bias": rand(d, std=0.1),
                  b + "ln_2.weight": norm_weight(d), b + "ln_2.bias": rand(d, std=0.1),
                  # Conv1D weights are [in, out]
                  b + "attn.c_attn.weight": rand(d, 3 * d), b + "attn.c_attn.bias": rand(3 * d, std=0.1),
                  b + "attn.c_proj.weight": rand(d, d), b + "attn.c_proj.bias": rand(d, std=0.1),
                  b + "mlp.c_fc.weight": rand(d, f), b + "mlp.c_fc.bias": rand(f, std=0.1),
                  b + "mlp.c_proj.weight": rand(f, d), b + "mlp.c_proj.bias": rand(d, std=0.1)})
        # Buffers that old GPT-2 checkpoints carry: the loader must skip them.
        extra[b + "attn.bias"] = torch.tril(torch.ones(32, 32)).view(1, 1, 32, 32).to(DTYPES[dtype])
        extra[b + "attn.masked_bias"] = torch.tensor(-1e4).to(DTYPES[dtype])
    if prefix:
        extra["lm_head.weight"] = t[p + "wte.weight"].to(DTYPES[dtype])  # a tied head's copy, also skipped
    w = save_folder(name, cfg, t, dtype, shards, extra)
    return lambda ids: gpt2_forward(w, cfg, ids, p)


# ---------------------------------------------------------------- Llama / Qwen2 (modeling_llama, modeling_qwen2)
def llama_forward(w, cfg, ids):
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return llama_hidden(w, cfg, ids) @ head.T


def llama_hidden(w, cfg, ids):
    h, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = cfg.get("head_dim") or cfg["hidden_size"] // h
    eps = cfg["rms_norm_eps"]
    bsz, t = ids.shape
    x = w["model.embed_tokens.weight"][ids]
    cos, sin = rotary_cos_sin(dh, cfg["rope_theta"], torch.arange(t)[None].expand(bsz, -1))
    lin = lambda x, name: torch.nn.functional.linear(x, w[name + ".weight"], w.get(name + ".bias"))
    for i in range(cfg["num_hidden_layers"]):
        b = f"model.layers.{i}."
        a = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        q = lin(a, b + "self_attn.q_proj").view(bsz, t, -1, dh).transpose(1, 2)
        k = lin(a, b + "self_attn.k_proj").view(bsz, t, -1, dh).transpose(1, 2)
        v = lin(a, b + "self_attn.v_proj").view(bsz, t, -1, dh).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = h // kvh  # repeat_kv
        k = k[:, :, None].expand(bsz, kvh, rep, t, dh).reshape(bsz, h, t, dh)
        v = v[:, :, None].expand(bsz, kvh, rep, t, dh).reshape(bsz, h, t, dh)
        o = causal_softmax_attention(q, k, v, dh ** -0.5, cfg.get("sliding_window")).transpose(1, 2).reshape(bsz, t, -1)
        x = x + lin(o, b + "self_attn.o_proj")
        m = rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        x = x + lin(ACT[cfg["hidden_act"]](lin(m, b + "mlp.gate_proj")) * lin(m, b + "mlp.up_proj"), b + "mlp.down_proj")
    return rms_norm(x, w["model.norm.weight"], eps)


def llama_fixture(name, model_type, dtype, kv_heads, tied, qkv_bias, shards=1, head_dim=None, sliding_window=None):
    d, f, h = 32, 64, 4
    dh = head_dim or d // h
    cfg = {"model_type": model_type, "vocab_size": 64, "hidden_size": d, "intermediate_size": f, "num_hidden_layers": 2,
           "num_attention_heads": h, "num_key_value_heads": kv_heads, "max_position_embeddings": 32, "rms_norm_eps": 1e-6,
           "rope_theta": 10000.0 if model_type != "qwen2" else 1000000.0, "hidden_act": "silu", "tie_word_embeddings": tied,
           "bos_token_id": 1, "eos_token_id": 2}
    if head_dim:
        cfg["head_dim"] = head_dim
    if sliding_window:
        cfg["sliding_window"] = sliding_window
    t = {"model.embed_tokens.weight": rand(64, d), "model.norm.weight": norm_weight(d)}
    if not tied:
        t["lm_head.weight"] = rand(64, d)
    extra = {}
    for i in range(2):
        b = f"model.layers.{i}."
        t.update({b + "input_layernorm.weight": norm_weight(d), b + "post_attention_layernorm.weight": norm_weight(d),
                  b + "self_attn.q_proj.weight": rand(h * dh, d), b + "self_attn.k_proj.weight": rand(kv_heads * dh, d),
                  b + "self_attn.v_proj.weight": rand(kv_heads * dh, d), b + "self_attn.o_proj.weight": rand(d, h * dh),
                  b + "mlp.gate_proj.weight": rand(f, d), b + "mlp.up_proj.weight": rand(f, d), b + "mlp.down_proj.weight": rand(d, f)})
        if qkv_bias:
            t.update({b + "self_attn.q_proj.bias": rand(h * dh, std=0.1), b + "self_attn.k_proj.bias": rand(kv_heads * dh, std=0.1),
                      b + "self_attn.v_proj.bias": rand(kv_heads * dh, std=0.1)})
        extra[b + "self_attn.rotary_emb.inv_freq"] = torch.ones(dh // 2).to(DTYPES[dtype])  # an old buffer, skipped
    w = save_folder(name, cfg, t, dtype, shards, extra)
    return lambda ids: llama_forward(w, cfg, ids)


# ---------------------------------------------------------------- GPT-NeoX (modeling_gpt_neox)
def neox_forward(w, cfg, ids):
    return neox_hidden(w, cfg, ids) @ w["embed_out.weight"].T


def neox_hidden(w, cfg, ids):
    d, h = cfg["hidden_size"], cfg["num_attention_heads"]
    hs = d // h
    rot = int(hs * cfg["rotary_pct"])
    eps = cfg["layer_norm_eps"]
    bsz, t = ids.shape
    lin = lambda x, name: torch.nn.functional.linear(x, w[name + ".weight"], w.get(name + ".bias"))
    x = w["gpt_neox.embed_in.weight"][ids]
    cos, sin = rotary_cos_sin(rot, cfg["rotary_emb_base"], torch.arange(t)[None].expand(bsz, -1))
    for i in range(cfg["num_hidden_layers"]):
        b = f"gpt_neox.layers.{i}."
        a = layer_norm(x, w[b + "input_layernorm.weight"], w[b + "input_layernorm.bias"], eps)
        qkv = lin(a, b + "attention.query_key_value").view(bsz, t, h, 3 * hs)
        q = qkv[..., :hs].permute(0, 2, 1, 3)
        k = qkv[..., hs:2 * hs].permute(0, 2, 1, 3)
        v = qkv[..., 2 * hs:].permute(0, 2, 1, 3)
        q_rot, q_pass, k_rot, k_pass = q[..., :rot], q[..., rot:], k[..., :rot], k[..., rot:]
        q = torch.cat((q_rot * cos + rotate_half(q_rot) * sin, q_pass), dim=-1)
        k = torch.cat((k_rot * cos + rotate_half(k_rot) * sin, k_pass), dim=-1)
        o = causal_softmax_attention(q, k, v, hs ** -0.5).permute(0, 2, 1, 3).contiguous().view(bsz, t, d)
        attn_out = lin(o, b + "attention.dense")
        if cfg["use_parallel_residual"]:
            m = layer_norm(x, w[b + "post_attention_layernorm.weight"], w[b + "post_attention_layernorm.bias"], eps)
            x = lin(ACT[cfg["hidden_act"]](lin(m, b + "mlp.dense_h_to_4h")), b + "mlp.dense_4h_to_h") + attn_out + x
        else:
            attn_out = attn_out + x
            m = layer_norm(attn_out, w[b + "post_attention_layernorm.weight"], w[b + "post_attention_layernorm.bias"], eps)
            x = lin(ACT[cfg["hidden_act"]](lin(m, b + "mlp.dense_h_to_4h")), b + "mlp.dense_4h_to_h") + attn_out
    return layer_norm(x, w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"], eps)


def neox_weights(d, f, layers, vocab=64):
    """GPT-NeoX's tensors: embeddings, untied head, final norm, and per layer the norms, fused q/k/v, dense and MLP."""
    t = {"gpt_neox.embed_in.weight": rand(vocab, d), "embed_out.weight": rand(vocab, d),
         "gpt_neox.final_layer_norm.weight": norm_weight(d), "gpt_neox.final_layer_norm.bias": rand(d, std=0.1)}
    for i in range(layers):
        b = f"gpt_neox.layers.{i}."
        t.update({b + "input_layernorm.weight": norm_weight(d), b + "input_layernorm.bias": rand(d, std=0.1),
                  b + "post_attention_layernorm.weight": norm_weight(d), b + "post_attention_layernorm.bias": rand(d, std=0.1),
                  b + "attention.query_key_value.weight": rand(3 * d, d), b + "attention.query_key_value.bias": rand(3 * d, std=0.1),
                  b + "attention.dense.weight": rand(d, d), b + "attention.dense.bias": rand(d, std=0.1),
                  b + "mlp.dense_h_to_4h.weight": rand(f, d), b + "mlp.dense_h_to_4h.bias": rand(f, std=0.1),
                  b + "mlp.dense_4h_to_h.weight": rand(d, f), b + "mlp.dense_4h_to_h.bias": rand(d, std=0.1)})
    return t


def neox_fixture(name, dtype, parallel, rotary_pct, shards=1):
    d, f, h = 32, 128, 4
    cfg = {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "vocab_size": 64, "hidden_size": d,
           "intermediate_size": f, "num_hidden_layers": 2, "num_attention_heads": h, "max_position_embeddings": 32,
           "rotary_pct": rotary_pct, "rotary_emb_base": 10000, "layer_norm_eps": 1e-5, "hidden_act": "gelu",
           "use_parallel_residual": parallel, "tie_word_embeddings": False, "bos_token_id": 0, "eos_token_id": 0}
    t = neox_weights(d, f, 2)
    extra = {}
    for i in range(2):
        b = f"gpt_neox.layers.{i}."
        extra[b + "attention.bias"] = torch.tril(torch.ones(32, 32, dtype=torch.bool)).view(1, 1, 32, 32).to(DTYPES[dtype])
        extra[b + "attention.masked_bias"] = torch.tensor(-1e9).to(DTYPES[dtype])
        extra[b + "attention.rotary_emb.inv_freq"] = torch.ones(int(8 * rotary_pct) // 2).to(DTYPES[dtype])
    w = save_folder(name, cfg, t, dtype, shards, extra)
    return lambda ids: neox_forward(w, cfg, ids)


# ---------------------------------------------------------------- reward models (*ForSequenceClassification, one label)
def reward_fixture(name, lm_fixture, architecture, lm_head_key, hidden):
    """The body of lm_fixture's folder plus a bias-free score head [1, D]; the LM head is left out, as transformers
    saves a sequence classifier (the old buffers stay: the loader must skip them). The reward of a sequence is
    score(h) at its last token, each sequence alone."""
    lm_fixture(name)  # writes the folder and draws the body's weights
    folder = os.path.join(OUT, name)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    cfg.update({"architectures": [architecture], "id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}, "pad_token_id": cfg["eos_token_id"]})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    w = read_safetensors(os.path.join(folder, "model.safetensors"))
    w.pop(lm_head_key, None)
    w["score.weight"] = rand(1, cfg.get("hidden_size") or cfg["n_embd"], std=0.5)
    write_safetensors(os.path.join(folder, "model.safetensors"), w)
    return lambda ids: (hidden(w, cfg, ids)[:, -1] @ w["score.weight"].T)[:, 0]


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32"
        raw = bytearray(data[e["data_offsets"][0]:e["data_offsets"][1]])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(e["shape"]).clone()
    return tensors


def reward_fixtures():
    """Tiny reward models, one per architecture, and their rewards of a few sequences (hf/expected_rewards.json)."""
    torch.manual_seed(2)
    fixtures = {
        "gpt2-reward-f32": reward_fixture("gpt2-reward-f32", lambda n: gpt2_fixture(n, "F32", prefix=True, shards=1),
                                          "GPT2ForSequenceClassification", "lm_head.weight", lambda w, c, ids: gpt2_hidden(w, c, ids, "transformer.")),
        "llama-reward-f32": reward_fixture("llama-reward-f32", lambda n: llama_fixture(n, "llama", "F32", kv_heads=2, tied=False, qkv_bias=False),
                                           "LlamaForSequenceClassification", "lm_head.weight", llama_hidden),
        "neox-reward-f32": reward_fixture("neox-reward-f32", lambda n: neox_fixture(n, "F32", parallel=True, rotary_pct=0.25),
                                          "GPTNeoXForSequenceClassification", "embed_out.weight", neox_hidden),
    }
    gen = torch.Generator().manual_seed(3)
    sequences = [torch.randint(0, 64, (n,), generator=gen).tolist() for n in (9, 3, 14, 6)]
    expected = {}
    with torch.no_grad():
        for name, reward in fixtures.items():
            expected[name] = {"sequences": sequences, "rewards": [reward(torch.tensor([ids])).item() for ids in sequences]}
    with open(os.path.join(OUT, "expected_rewards.json"), "w") as f:
        json.dump(expected, f, indent=1)


def main():
    torch.manual_seed(0)
    fixtures = {
        "gpt2-f32": gpt2_fixture("gpt2-f32", "F32", prefix=False, shards=1),
        "gpt2-bf16-prefixed-sharded": gpt2_fixture("gpt2-bf16-prefixed-sharded", "BF16", prefix=True, shards=2),
        "llama-gqa-f16": llama_fixture("llama-gqa-f16", "llama", "F16", kv_heads=2, tied=False, qkv_bias=False),
        "llama-tied-bf16-sharded": llama_fixture("llama-tied-bf16-sharded", "llama", "BF16", kv_heads=1, tied=True, qkv_bias=False, shards=3, head_dim=16),
        "qwen2-bias-f32": llama_fixture("qwen2-bias-f32", "qwen2", "F32", kv_heads=2, tied=True, qkv_bias=True),
        "neox-parallel-f32": neox_fixture("neox-parallel-f32", "F32", parallel=True, rotary_pct=0.25),
        "neox-sequential-f16-sharded": neox_fixture("neox-sequential-f16-sharded", "F16", parallel=False, rotary_pct=0.5, shards=2),
        "mistral-window-f32": llama_fixture("mistral-window-f32", "mistral", "F32", kv_heads=1, tied=False, qkv_bias=False, sliding_window=4),
    }
    gen = torch.Generator().manual_seed(1)
    sequences = [torch.randint(0, 64, (n,), generator=gen).tolist() for n in (9, 5, 12)]
    expected = {}
    with torch.no_grad():
        for name, forward in fixtures.items():
            rows = []
            for ids in sequences:
                logits = forward(torch.tensor([ids]))[0]
                logp = torch.log_softmax(logits.float(), dim=-1)
                rows.append([logp[i, ids[i + 1]].item() for i in range(len(ids) - 1)])
            expected[name] = {"sequences": sequences, "logprobs": rows}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    reward_fixtures()


if __name__ == "__main__":
    main()
