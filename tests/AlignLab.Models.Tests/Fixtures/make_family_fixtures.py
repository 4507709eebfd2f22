#!/usr/bin/python3
"""Builds the tiny Hugging Face folders of the newer families (qwen3, gemma, gemma2) and of every RoPE form
(transformers 5's rope_parameters, linear, dynamic, llama3, yarn, partial rotary), their expected per-token
log-probs (hf/expected_families.json) and tiny reward models of the new families (hf/expected_family_rewards.json).

An independent reference for AlignLab's C# architectures, in the manner of make_hf_fixtures.py (whose safetensors
writer and small helpers it reuses): every forward pass below follows transformers 5's modeling code step by step in
plain PyTorch (models/llama, models/qwen3, models/gemma, models/gemma2, models/gpt_neox, eager attention) and
modeling_rope_utils.py for the inverse frequencies, so nothing is shared with the C# side.

For each causal folder the expectations are
  - "logprobs": every sequence alone (positions 0..T-2: one forward pass over every token but the last, the pass
    AlignLab makes to score a sequence), and
  - "batch": the same sequences as one left-padded prompt batch + right-padded responses, the way AlignLab's
    TokenLogProbs feeds them (prompt lengths "prompt_lengths"): position ids count the real tokens before each one
    (transformers' generate: cumsum(attention_mask) - 1), padding is never attended to, and a response token after the
    end of its row counts 0. Under dynamic NTK the rotary base follows the longest position in the call, as
    transformers' dynamic_rope_update does, so a padded row need not equal itself alone there.
Sequences longer than the original context are included for dynamic / yarn / llama3, and the sliding-window folders
have sequences longer than their window.

Run with Debian's torch from this folder's parent or anywhere:  /usr/bin/python3 make_family_fixtures.py
"""
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_hf_fixtures as base  # noqa: E402  (the shared safetensors writer and weight draws)

OUT = os.path.join(HERE, "hf")
base.OUT = OUT
rand, norm_weight, rotate_half, gelu_new = base.rand, base.norm_weight, base.rotate_half, base.gelu_new

VOCAB = 64
# The end token, which the drawn sequences never contain (a response's log-probs stop at its first end token); the
# padding id of the batches is the same token, masked.
EOS = VOCAB - 1
ACT = {"silu": torch.nn.functional.silu, "gelu_pytorch_tanh": gelu_new, "gelu": torch.nn.functional.gelu}


# ---------------------------------------------------------------- modeling_rope_utils (transformers 5)
def standardize(cfg, head_dim):
    """The rope parameters transformers 5 derives from a config (convert_rope_params_to_dict + standardize):
    rope_scaling wins over rope_parameters, top-level rope_theta / partial_rotary_factor fill what is missing,
    the older "type" key names the rope_type, and llama3/yarn default original_max_position_embeddings."""
    rp = dict(cfg.get("rope_scaling") or cfg.get("rope_parameters") or {})
    rp.setdefault("rope_theta", cfg.get("rope_theta", 10000.0))
    if cfg.get("partial_rotary_factor") is not None:
        rp.setdefault("partial_rotary_factor", cfg["partial_rotary_factor"])
    rp.setdefault("rope_type", rp.get("type", "default"))
    if rp["rope_type"] in ("llama3", "yarn"):
        rp.setdefault("original_max_position_embeddings", cfg["max_position_embeddings"])
    rp["dim"] = int(head_dim * rp.get("partial_rotary_factor", 1.0))
    return rp


def default_inv_freq(base_, dim):  # _compute_default_rope_parameters
    return 1.0 / (base_ ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))


def inv_freq_and_scaling(rp, max_positions, seq_len):
    """(inv_freq, attention_scaling) of ROPE_INIT_FUNCTIONS[rope_type] (seq_len: max(position_ids) + 1 of the call)."""
    kind, base_, dim = rp["rope_type"], rp["rope_theta"], rp["dim"]
    if kind == "default":
        return default_inv_freq(base_, dim), 1.0
    if kind == "linear":  # _compute_linear_scaling_rope_parameters
        return default_inv_freq(base_, dim) / rp["factor"], 1.0
    if kind == "dynamic":  # _compute_dynamic_ntk_parameters, called by dynamic_frequency_update only past max
        if seq_len <= max_positions:
            return default_inv_freq(base_, dim), 1.0
        factor = rp["factor"]
        seq = torch.maximum(torch.tensor(seq_len), torch.tensor(max_positions))
        base_ = base_ * ((factor * seq / max_positions) - (factor - 1)) ** (dim / (dim - 2))
        return default_inv_freq(base_, dim), 1.0
    if kind == "llama3":  # _compute_llama3_parameters
        inv_freq = default_inv_freq(base_, dim)
        factor, low, high = rp["factor"], rp["low_freq_factor"], rp["high_freq_factor"]
        old_context_len = rp["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low
        high_freq_wavelen = old_context_len / high
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old_context_len / wavelen - low) / (high - low)
        smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama), 1.0
    if kind == "yarn":  # _compute_yarn_parameters
        factor = rp["factor"]
        attention_factor = rp.get("attention_factor")
        mscale, mscale_all_dim = rp.get("mscale"), rp.get("mscale_all_dim")
        original = rp["original_max_position_embeddings"]

        def get_mscale(scale, m=1):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        if attention_factor is None:
            if mscale and mscale_all_dim:
                attention_factor = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim))
            else:
                attention_factor = get_mscale(factor)
        beta_fast = rp.get("beta_fast") or 32
        beta_slow = rp.get("beta_slow") or 1

        def find_correction_dim(num_rotations):
            return (dim * math.log(original / (num_rotations * 2 * math.pi))) / (2 * math.log(base_))

        low, high = find_correction_dim(beta_fast), find_correction_dim(beta_slow)
        if rp.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        pos_freqs = base_ ** (torch.arange(0, dim, 2).to(dtype=torch.float) / dim)
        inv_freq_extrapolation = 1.0 / pos_freqs
        inv_freq_interpolation = 1.0 / (factor * pos_freqs)
        extrapolation_factor = 1 - ramp
        inv_freq = inv_freq_interpolation * (1 - extrapolation_factor) + inv_freq_extrapolation * extrapolation_factor
        return inv_freq, attention_factor
    raise ValueError(kind)


def rotary(rp, max_positions, position_ids):
    """cos, sin [B, 1, T, dim] of LlamaRotaryEmbedding.forward (dynamic_rope_update first), float32."""
    inv_freq, scaling = inv_freq_and_scaling(rp, max_positions, int(position_ids.max()) + 1)
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return (emb.cos() * scaling)[:, None], (emb.sin() * scaling)[:, None]


def apply_rotary(x, cos, sin):  # apply_rotary_pos_emb; GPT-NeoX rotates the first cos.shape[-1] dims only
    rot = cos.shape[-1]
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    return torch.cat((x_rot * cos + rotate_half(x_rot) * sin, x_pass), dim=-1)


# ---------------------------------------------------------------- attention and norms
def attention_mask(key_mask, t, sliding_window=None):
    """Boolean [B, 1, T, T]: query i sees key j <= i that is real (and i - j < window), a padding query itself."""
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    allowed = j <= i
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)  # sliding_window_overlay: kv_idx > q_idx - window
    allowed = allowed[None] & key_mask.bool()[:, None, :]
    return (allowed | (i == j)[None])[:, None]


def eager_attention(q, k, v, mask, scaling, softcap=None):
    """eager_attention_forward: repeat_kv, q kᵀ · scaling (Gemma2: softcap·tanh(·/softcap)), mask, float32 softmax, · v."""
    groups = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(groups, dim=1)
    v = v.repeat_interleave(groups, dim=1)
    scores = torch.matmul(q, k.transpose(2, 3)) * scaling
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(weights, v).transpose(1, 2)


def rms_norm(x, w, eps):  # LlamaRMSNorm / Qwen3RMSNorm
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return w * h.to(x.dtype)


def gemma_rms_norm(x, w, eps):  # GemmaRMSNorm: (1 + w), computed in float32
    out = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps)
    return (out * (1.0 + w.float())).type_as(x)


def linear(w, x, name):
    return torch.nn.functional.linear(x, w[name + ".weight"], w.get(name + ".bias"))


def layer_windows(cfg):
    """Each layer's sliding window (None: full attention), as the family's config class derives layer_types."""
    n, mt = cfg["num_hidden_layers"], cfg["model_type"]
    if mt == "gemma2":
        types = cfg.get("layer_types") or ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n)]
    elif mt in ("qwen2", "qwen3"):
        window = cfg.get("sliding_window") if cfg.get("use_sliding_window") else None
        types = cfg.get("layer_types") or [
            "sliding_attention" if window is not None and i >= cfg["max_window_layers"] else "full_attention" for i in range(n)]
    else:
        return [cfg.get("sliding_window")] * n
    return [cfg["sliding_window"] if kind == "sliding_attention" else None for kind in types]


# ---------------------------------------------------------------- the decoder families
def decoder_hidden(w, cfg, ids, key_mask, position_ids):
    """Final hidden states [B, T, D] of LlamaModel / Qwen3Model / GemmaModel / Gemma2Model / GPTNeoXModel."""
    mt = cfg["model_type"]
    if mt == "gpt_neox":
        return neox_hidden(w, cfg, ids, key_mask, position_ids)
    gemma = mt in ("gemma", "gemma2")
    norm = gemma_rms_norm if gemma else rms_norm
    h, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = cfg.get("head_dim") or cfg["hidden_size"] // h
    eps = cfg["rms_norm_eps"]
    bsz, t = ids.shape
    x = w["model.embed_tokens.weight"][ids]
    if gemma:  # GemmaTextScaledWordEmbedding: embed_scale = hidden_size ** 0.5 in the weights' dtype
        x = x * torch.tensor(cfg["hidden_size"] ** 0.5).to(x.dtype)
    cos, sin = rotary(standardize(cfg, dh), cfg["max_position_embeddings"], position_ids)
    scaling = cfg["query_pre_attn_scalar"] ** -0.5 if mt == "gemma2" else dh ** -0.5
    act = ACT[cfg["hidden_activation"] if gemma else cfg["hidden_act"]]
    for i, window in enumerate(layer_windows(cfg)):
        b = f"model.layers.{i}."
        a = norm(x, w[b + "input_layernorm.weight"], eps)
        q = linear(w, a, b + "self_attn.q_proj").view(bsz, t, -1, dh)
        k = linear(w, a, b + "self_attn.k_proj").view(bsz, t, -1, dh)
        v = linear(w, a, b + "self_attn.v_proj").view(bsz, t, -1, dh).transpose(1, 2)
        if mt == "qwen3":  # q_norm / k_norm over each head, before the transpose and the rotary
            q = rms_norm(q, w[b + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[b + "self_attn.k_norm.weight"], eps)
        q, k = apply_rotary(q.transpose(1, 2), cos, sin), apply_rotary(k.transpose(1, 2), cos, sin)
        mask = attention_mask(key_mask, t, window)
        o = eager_attention(q, k, v, mask, scaling, cfg.get("attn_logit_softcapping") if mt == "gemma2" else None)
        o = linear(w, o.reshape(bsz, t, -1), b + "self_attn.o_proj")
        if mt == "gemma2":  # Gemma2DecoderLayer: post-attention norm on the branch, pre/post feed-forward norms
            x = x + norm(o, w[b + "post_attention_layernorm.weight"], eps)
            m = norm(x, w[b + "pre_feedforward_layernorm.weight"], eps)
            m = linear(w, act(linear(w, m, b + "mlp.gate_proj")) * linear(w, m, b + "mlp.up_proj"), b + "mlp.down_proj")
            x = x + norm(m, w[b + "post_feedforward_layernorm.weight"], eps)
        else:
            x = x + o
            m = norm(x, w[b + "post_attention_layernorm.weight"], eps)
            x = x + linear(w, act(linear(w, m, b + "mlp.gate_proj")) * linear(w, m, b + "mlp.up_proj"), b + "mlp.down_proj")
    return norm(x, w["model.norm.weight"], eps)


def neox_hidden(w, cfg, ids, key_mask, position_ids):
    """GPTNeoXModel with partial rotary (transformers 5 reads partial_rotary_factor from rope_parameters)."""
    d, h = cfg["hidden_size"], cfg["num_attention_heads"]
    hs = d // h
    eps = cfg["layer_norm_eps"]
    bsz, t = ids.shape
    ln = lambda x, name: torch.nn.functional.layer_norm(x, (d,), w[name + ".weight"], w[name + ".bias"], eps)
    x = w["gpt_neox.embed_in.weight"][ids]
    cos, sin = rotary(standardize(cfg, hs), cfg["max_position_embeddings"], position_ids)
    for i in range(cfg["num_hidden_layers"]):
        b = f"gpt_neox.layers.{i}."
        qkv = linear(w, ln(x, b + "input_layernorm"), b + "attention.query_key_value").view(bsz, t, h, 3 * hs).transpose(1, 2)
        q, k, v = qkv.chunk(3, dim=-1)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        o = eager_attention(q, k, v, attention_mask(key_mask, t), hs ** -0.5).reshape(bsz, t, d)
        attn_out = linear(w, o, b + "attention.dense")
        mlp = lambda y: linear(w, torch.nn.functional.gelu(linear(w, ln(y, b + "post_attention_layernorm"), b + "mlp.dense_h_to_4h")), b + "mlp.dense_4h_to_h")
        x = mlp(x) + attn_out + x  # use_parallel_residual
    return ln(x, "gpt_neox.final_layer_norm")


def logits_of(w, cfg, ids, key_mask, position_ids):
    hidden = decoder_hidden(w, cfg, ids, key_mask, position_ids)
    head = w.get("lm_head.weight", w.get("embed_out.weight"))
    if head is None or cfg.get("tie_word_embeddings"):
        head = w["model.embed_tokens.weight"]
    logits = hidden @ head.T
    cap = cfg.get("final_logit_softcapping") if cfg["model_type"] == "gemma2" else None
    if cap is not None:  # Gemma2ForCausalLM
        logits = torch.tanh(logits / cap) * cap
    return logits


# ---------------------------------------------------------------- folders
def family_weights(cfg):
    mt = cfg["model_type"]
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    h, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = cfg.get("head_dim") or d // h
    gemma = mt in ("gemma", "gemma2")
    # Gemma norms store w with the scale 1 + w: draw w near 0.
    nw = (lambda n: 0.1 * torch.randn(n)) if gemma else norm_weight
    t = {"model.embed_tokens.weight": rand(VOCAB, d, std=0.2 if not gemma else 0.05), "model.norm.weight": nw(d)}
    if not cfg["tie_word_embeddings"]:
        t["lm_head.weight"] = rand(VOCAB, d)
    for i in range(cfg["num_hidden_layers"]):
        b = f"model.layers.{i}."
        t.update({b + "input_layernorm.weight": nw(d), b + "post_attention_layernorm.weight": nw(d),
                  b + "self_attn.q_proj.weight": rand(h * dh, d), b + "self_attn.k_proj.weight": rand(kvh * dh, d),
                  b + "self_attn.v_proj.weight": rand(kvh * dh, d), b + "self_attn.o_proj.weight": rand(d, h * dh),
                  b + "mlp.gate_proj.weight": rand(f, d), b + "mlp.up_proj.weight": rand(f, d), b + "mlp.down_proj.weight": rand(d, f)})
        if mt == "qwen3":
            t.update({b + "self_attn.q_norm.weight": norm_weight(dh), b + "self_attn.k_norm.weight": norm_weight(dh)})
        if mt == "gemma2":
            t.update({b + "pre_feedforward_layernorm.weight": nw(d), b + "post_feedforward_layernorm.weight": nw(d)})
    return t


def common(model_type, architecture, **extra):
    """A config as a checkpoint carries it: the shape plus keys that cannot change the forward pass."""
    cfg = {"architectures": [architecture], "model_type": model_type, "vocab_size": VOCAB, "hidden_size": 32,
           "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
           "max_position_embeddings": 32, "rms_norm_eps": 1e-6, "hidden_act": "silu", "tie_word_embeddings": False,
           "bos_token_id": 1, "eos_token_id": EOS, "attention_dropout": 0.0, "initializer_range": 0.02,
           "use_cache": True, "torch_dtype": "float32", "transformers_version": "4.51.0"}
    cfg.update(extra)
    return cfg


def folder(name, cfg, dtype="F32", shards=1):
    weights = (base.neox_weights(cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"], VOCAB)
               if cfg["model_type"] == "gpt_neox" else family_weights(cfg))
    return base.save_folder(name, cfg, weights, dtype, shards)


def causal_fixtures():
    llama = lambda **e: common("llama", "LlamaForCausalLM", **e)
    return {
        # transformers 5's form: theta only inside rope_parameters (top-level rope_theta absent), "dtype".
        "llama-rope-parameters-f32": (llama(rope_parameters={"rope_theta": 500000.0, "rope_type": "default"},
                                           dtype="float32", torch_dtype=None, transformers_version="5.0.0"), (9, 5, 12)),
        # The older "type" key (transformers < 4.43).
        "llama-rope-linear-f32": (llama(rope_theta=10000.0, rope_scaling={"type": "linear", "factor": 2.0}), (9, 5, 12)),
        # NTK base recomputed past max_position_embeddings 16: sequences of 24.
        "llama-rope-dynamic-f32": (llama(rope_theta=10000.0, max_position_embeddings=16,
                                         rope_scaling={"rope_type": "dynamic", "factor": 2.0}), (9, 5, 24)),
        # head_dim 16 over theta 1e4 and original context 64 puts frequencies in all three llama3 bands; 70 > 64.
        "llama-rope-llama3-bf16": (llama(head_dim=16, max_position_embeddings=256, rope_theta=10000.0, torch_dtype="bfloat16",
                                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
                                   (9, 5, 70)),
        # yarn with its attention factor given and the ramp's betas set; 48 > original 32.
        "llama-rope-yarn-f32": (llama(head_dim=16, max_position_embeddings=64, rope_theta=10000.0,
                                      rope_scaling={"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 32,
                                                    "attention_factor": 1.25, "beta_fast": 16, "beta_slow": 2}),
                                (9, 5, 48)),
        "qwen3-f32": (common("qwen3", "Qwen3ForCausalLM", head_dim=16, tie_word_embeddings=True, rope_theta=1000000.0,
                             attention_bias=False, use_sliding_window=False, sliding_window=None, max_window_layers=2,
                             rope_scaling=None), (9, 5, 12)),
        # yarn with the attention factor 0.1 ln(factor) + 1 derived; 40 > original 16.
        "qwen3-yarn-f32": (common("qwen3", "Qwen3ForCausalLM", head_dim=16, tie_word_embeddings=True, rope_theta=10000.0,
                                  max_position_embeddings=64, use_sliding_window=False, sliding_window=None,
                                  max_window_layers=2,
                                  rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16}),
                           (9, 5, 40)),
        # Layer 1 (>= max_window_layers) attends within a 4-token window.
        "qwen3-window-bf16-sharded": (common("qwen3", "Qwen3ForCausalLM", head_dim=16, rope_theta=10000.0, torch_dtype="bfloat16",
                                             use_sliding_window=True, sliding_window=4, max_window_layers=1),
                                      (9, 5, 12)),
        "gemma-f32": (common("gemma", "GemmaForCausalLM", num_key_value_heads=1, head_dim=16, tie_word_embeddings=True,
                             hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0,
                             attention_bias=False, pad_token_id=0, rope_scaling=None), (9, 5, 12)),
        # Layer 0 slides over 4 tokens (Gemma2's even layers), soft caps small enough to bend, scalar != head_dim.
        "gemma2-f32": (common("gemma2", "Gemma2ForCausalLM", num_key_value_heads=2, head_dim=16, tie_word_embeddings=True,
                              hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0,
                              query_pre_attn_scalar=24, sliding_window=4, attn_logit_softcapping=2.0,
                              final_logit_softcapping=1.0, cache_implementation="hybrid", pad_token_id=0),
                       (9, 5, 12)),
        # GPT-NeoX saved by transformers 5: partial_rotary_factor and theta inside rope_parameters.
        "neox-rope-parameters-f32": (dict(common("gpt_neox", "GPTNeoXForCausalLM", intermediate_size=128, layer_norm_eps=1e-5,
                                                 hidden_act="gelu", use_parallel_residual=True, num_key_value_heads=None,
                                                 rms_norm_eps=None, attention_bias=True, transformers_version="5.0.0",
                                                 rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                                                  "partial_rotary_factor": 0.5})),
                                     (9, 5, 12)),
    }


def clean(cfg):
    return {k: v for k, v in cfg.items() if v is not None or k in ("sliding_window", "rope_scaling")}


def batch_expectation(w, cfg, sequences, prompt_lengths):
    """Log-probs [B, L] of the responses as AlignLab's TokenLogProbs batches them (left-padded prompts)."""
    p = max(prompt_lengths)
    l = max(len(s) - k for s, k in zip(sequences, prompt_lengths))
    rows, masks = [], []
    for s, k in zip(sequences, prompt_lengths):
        resp = s[k:]
        rows.append([EOS] * (p - k) + s[:k] + resp + [EOS] * (l - len(resp)))
        masks.append([0] * (p - k) + [1] * (k + l))
    ids = torch.tensor(rows)[:, : p + l - 1]
    key_mask = torch.tensor(masks)[:, : p + l - 1]
    position_ids = (key_mask.cumsum(1) - 1).clamp(min=0)
    logp = torch.log_softmax(logits_of(w, cfg, ids, key_mask, position_ids).float(), -1)[:, p - 1:]
    targets = torch.tensor(rows)[:, p:]
    out = logp.gather(-1, targets[..., None])[..., 0]
    for r, (s, k) in enumerate(zip(sequences, prompt_lengths)):
        out[r, len(s) - k:] = 0
    return out.tolist()


def main():
    torch.manual_seed(5)
    gen = torch.Generator().manual_seed(6)
    expected = {}
    with torch.no_grad():
        for name, (cfg, lengths) in causal_fixtures().items():
            cfg = clean(cfg)
            shards = 2 if name.endswith("sharded") else 1
            w = folder(name, cfg, "BF16" if "-bf16" in name else "F32", shards)
            sequences = [torch.randint(0, EOS, (n,), generator=gen).tolist() for n in lengths]
            rows = []
            for ids in sequences:
                # The forward pass AlignLab makes to score a sequence: every token but the last (whose log-prob the
                # pass does not need). Only dynamic NTK notices: its base follows the pass's longest position.
                t = torch.tensor([ids[:-1]])
                logits = logits_of(w, cfg, t, torch.ones_like(t), torch.arange(len(ids) - 1)[None])[0]
                logp = torch.log_softmax(logits.float(), dim=-1)
                rows.append([logp[i, ids[i + 1]].item() for i in range(len(ids) - 1)])
            prompt_lengths = [2, 4, 3]
            expected[name] = {"sequences": sequences, "logprobs": rows, "prompt_lengths": prompt_lengths,
                              "batch": batch_expectation(w, cfg, sequences, prompt_lengths)}
    with open(os.path.join(OUT, "expected_families.json"), "w") as f:
        json.dump(expected, f, indent=1)
    reward_fixtures()


def reward_fixtures():
    """*ForSequenceClassification folders of the new families (body + bias-free score head [1, D], no LM head and no
    final soft cap, as transformers' GenericForSequenceClassification) and the rewards of four sequences, each alone."""
    torch.manual_seed(7)
    gen = torch.Generator().manual_seed(8)
    sequences = [torch.randint(0, EOS, (n,), generator=gen).tolist() for n in (9, 3, 14, 6)]
    specs = {
        "qwen3-reward-f32": common("qwen3", "Qwen3ForSequenceClassification", head_dim=16, rope_theta=1000000.0,
                                   use_sliding_window=False, sliding_window=None, max_window_layers=2),
        "gemma-reward-f32": common("gemma", "GemmaForSequenceClassification", num_key_value_heads=1, head_dim=16,
                                   tie_word_embeddings=True, hidden_act="gelu_pytorch_tanh",
                                   hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0),
        "gemma2-reward-f32": common("gemma2", "Gemma2ForSequenceClassification", head_dim=16, tie_word_embeddings=True,
                                    hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh",
                                    rope_theta=10000.0, query_pre_attn_scalar=24, sliding_window=4,
                                    attn_logit_softcapping=2.0, final_logit_softcapping=5.0),
    }
    expected = {}
    with torch.no_grad():
        for name, cfg in specs.items():
            cfg.update({"id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}, "pad_token_id": 0})
            weights = family_weights(cfg)
            weights.pop("lm_head.weight", None)
            weights["score.weight"] = rand(1, cfg["hidden_size"], std=0.5)
            w = base.save_folder(name, cfg, weights, "F32")
            rewards = []
            for ids in sequences:
                t = torch.tensor([ids])
                hidden = decoder_hidden(w, cfg, t, torch.ones_like(t), torch.arange(len(ids))[None])
                rewards.append((hidden[:, -1] @ w["score.weight"].T)[0, 0].item())
            expected[name] = {"sequences": sequences, "rewards": rewards}
    with open(os.path.join(OUT, "expected_family_rewards.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
