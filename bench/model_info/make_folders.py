"""Writes the two model folders docs/benchmarks.md times `alignlab model info` on.

    /usr/bin/python3 bench/model_info/make_folders.py OUT

OUT/gpt2-124m: a GPT-2-small-shaped folder (vocabulary 50257, width 768, 12 layers, 1024 positions; the shapes of
ModelBenchmarkShape's defaults) with random F32 weights in one model.safetensors (498 MB).
OUT/llama-7b-sparse: a Llama-2-7B-shaped BF16 folder in two shards whose data sections are holes (sparse files: the
lengths are right, the disk holds only the headers), which `model info` cannot tell from real weights because it reads
none; loading it would read zeros.
"""
import json
import os
import struct
import sys

import numpy as np


def write_safetensors(path, tensors, dtype, element_bytes, data=None):
    """Writes header + data; data(name, shape) returns the bytes of a tensor, or None to leave the data section a hole."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in tensors:
        size = int(np.prod(shape, dtype=np.int64)) * element_bytes
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        if data is None:
            f.truncate(8 + len(text) + offset)
        else:
            for name, shape in tensors:
                f.write(data(name, shape))


def gpt2(out):
    vocab, positions, width, layers = 50257, 1024, 768, 12
    tensors = [("wte.weight", [vocab, width]), ("wpe.weight", [positions, width])]
    for i in range(layers):
        p = f"h.{i}."
        tensors += [(p + "ln_1.weight", [width]), (p + "ln_1.bias", [width]),
                    (p + "attn.c_attn.weight", [width, 3 * width]), (p + "attn.c_attn.bias", [3 * width]),
                    (p + "attn.c_proj.weight", [width, width]), (p + "attn.c_proj.bias", [width]),
                    (p + "ln_2.weight", [width]), (p + "ln_2.bias", [width]),
                    (p + "mlp.c_fc.weight", [width, 4 * width]), (p + "mlp.c_fc.bias", [4 * width]),
                    (p + "mlp.c_proj.weight", [4 * width, width]), (p + "mlp.c_proj.bias", [width])]
    tensors += [("ln_f.weight", [width]), ("ln_f.bias", [width])]
    rng = np.random.default_rng(0)
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, "F32", 4,
                      lambda _, shape: (0.02 * rng.standard_normal(shape, dtype=np.float32)).tobytes())
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": vocab, "n_embd": width,
              "n_layer": layers, "n_head": 12, "n_positions": positions, "bos_token_id": 50256, "eos_token_id": 50256}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


def llama7b(out):
    vocab, width, layers, mlp = 32000, 4096, 32, 11008
    tensors = [("model.embed_tokens.weight", [vocab, width])]
    for i in range(layers):
        p = f"model.layers.{i}."
        tensors += [(p + "input_layernorm.weight", [width])]
        tensors += [(p + f"self_attn.{m}_proj.weight", [width, width]) for m in "qkvo"]
        tensors += [(p + "post_attention_layernorm.weight", [width]),
                    (p + "mlp.gate_proj.weight", [mlp, width]), (p + "mlp.up_proj.weight", [mlp, width]),
                    (p + "mlp.down_proj.weight", [width, mlp])]
    tensors += [("model.norm.weight", [width]), ("lm_head.weight", [vocab, width])]
    os.makedirs(out, exist_ok=True)
    half, weight_map = len(tensors) // 2, {}
    for s, part in enumerate([tensors[:half], tensors[half:]]):
        name = f"model-{s + 1:05d}-of-00002.safetensors"
        write_safetensors(os.path.join(out, name), part, "BF16", 2)
        weight_map.update({t: name for t, _ in part})
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": vocab, "hidden_size": width,
              "num_hidden_layers": layers, "num_attention_heads": 32, "num_key_value_heads": 32, "intermediate_size": mlp,
              "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": False,
              "bos_token_id": 1, "eos_token_id": 2}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    gpt2(os.path.join(sys.argv[1], "gpt2-124m"))
    llama7b(os.path.join(sys.argv[1], "llama-7b-sparse"))
