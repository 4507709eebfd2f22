#!/usr/bin/python3
"""PyTorch-eager peer of `alignlab bench model` (AlignLab.Engine.Benchmarks.ModelBenchmarks).

Runs the same workloads on the same shapes with plain PyTorch (Debian's python3-torch; no transformers needed): a
GPT-2 written as transformers' eager modeling_gpt2 computes it (Conv1D weights [in, out] applied with addmm,
softmax(q k^T / sqrt(d) + causal mask) v attention, gelu_new, tied head), generation with a KV cache that grows by
torch.cat and a prompt cache shared by each prompt's samples, Adam steps (full, and PEFT-style LoRA on c_attn), and
loading a BF16 safetensors folder tensor by tensor into the float32 model. Timings are medians of --Repeats runs
after one warm-up. Progress goes to stderr; the last stdout line is a JSON object {name: {"value", "unit"}} whose
names are the C# measurement names.

    /usr/bin/python3 bench/peers/model_peer.py [--Layers 12 ...] [--seed 0] [--threads 2]
"""
import argparse
import ctypes
import gc
import json
import math
import os
import struct
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LOAD_PEAK = "load BF16 folder: peak RSS growth / float32 model"
LOAD_TIME = "load BF16 folder: time"
SCORING = "prompt scoring (log-probs, no grad)"
GENERATION = "generation (shared prompt cache)"
GENERATION_PEAK = "generation: peak RSS growth / KV cache"
TRAIN_FULL = "training step, full (Adam)"
TRAIN_LORA = "training step, LoRA on c_attn (Adam)"


def log(message):
    print(message, file=sys.stderr, flush=True)


class Conv1D(nn.Module):
    """transformers' Conv1D: y = x W + b with W stored [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).normal_(0, 0.02))
        self.bias = nn.Parameter(torch.zeros(n_out))
        self.lora = None

    def forward(self, x):
        shape = x.shape[:-1] + (self.weight.shape[1],)
        y = torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(shape)
        if self.lora is not None:
            a, b, scaling = self.lora
            y = y + (x @ a.t()) @ b.t() * scaling
        return y

    def add_lora(self, rank, alpha):
        """PEFT's LoRA on a Conv1D: A [r, in] Kaiming-uniform, B [out, r] zero, scale alpha / r."""
        a = nn.Parameter(torch.empty(rank, self.weight.shape[0]))
        nn.init.kaiming_uniform_(a, a=math.sqrt(5))
        b = nn.Parameter(torch.zeros(self.weight.shape[1], rank))
        self.register_parameter("lora_A", a)
        self.register_parameter("lora_B", b)
        self.lora = (a, b, alpha / rank)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = Conv1D(d, 3 * d)
        self.attn_c_proj = Conv1D(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = Conv1D(d, 4 * d)
        self.mlp_c_proj = Conv1D(4 * d, d)

    def forward(self, x, cache, layer):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache[layer] is not None:
                k = torch.cat([cache[layer][0], k], dim=2)
                v = torch.cat([cache[layer][1], v], dim=2)
            cache[layer] = (k, v)
        s = k.shape[2]
        w = q @ k.transpose(-1, -2) / math.sqrt(d // h)
        if t > 1:
            causal = torch.ones(t, s, dtype=torch.bool).tril(s - t)
            w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        y = (w.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.attn_c_proj(y)
        return x + self.mlp_c_proj(gelu_new(self.c_fc(self.ln_2(x))))


class Gpt2(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.wte = nn.Embedding(a.VocabSize, a.HiddenSize)
        self.wpe = nn.Embedding(a.MaxPositions, a.HiddenSize)
        nn.init.normal_(self.wte.weight, 0, 0.02)
        nn.init.normal_(self.wpe.weight, 0, 0.02)
        self.h = nn.ModuleList([Block(a.HiddenSize, a.Heads) for _ in range(a.Layers)])
        self.ln_f = nn.LayerNorm(a.HiddenSize, eps=1e-5)

    def forward(self, tokens, cache=None, past=0):
        positions = torch.arange(past, past + tokens.shape[1])
        x = self.wte(tokens) + self.wpe(positions)
        for i, block in enumerate(self.h):
            x = block(x, cache, i)
        return self.ln_f(x) @ self.wte.weight.t()

    def checkpoint_names(self):
        """state_dict name -> transformers' key (GPT2LMHeadModel layout)."""
        names = {}
        for name in self.state_dict():
            key = name.replace("attn_c_proj", "attn.c_proj").replace("c_attn", "attn.c_attn")
            key = key.replace("mlp_c_proj", "mlp.c_proj").replace("c_fc", "mlp.c_fc")
            names[name] = "transformer." + key
        return names


def token_logprobs(model, prompts, responses):
    inputs = torch.cat([prompts, responses[:, :-1]], dim=1)
    logits = model(inputs)[:, prompts.shape[1] - 1:]
    return logits.log_softmax(-1).gather(-1, responses.unsqueeze(-1)).squeeze(-1)


def generate(model, prompts, samples, new_tokens, generator):
    """Each prompt encoded once; its KV cache repeated for its samples; one token per step through the cache."""
    cache = [None] * len(model.h)
    logits = model(prompts, cache)[:, -1]
    cache = [(k.repeat_interleave(samples, 0), v.repeat_interleave(samples, 0)) for k, v in cache]
    logits = logits.repeat_interleave(samples, 0)
    past = prompts.shape[1]
    out = []
    for step in range(new_tokens):
        token = torch.multinomial(logits.softmax(-1), 1, generator=generator)
        out.append(token)
        if step + 1 < new_tokens:
            logits = model(token, cache, past)[:, -1]
            past += 1
    return torch.cat(out, dim=1)


def median_seconds(action, repeats):
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 2]


def random_batch(a, batch, seed):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(a.VocabSize, (batch, a.SequenceLength), generator=g)
    half = a.SequenceLength // 2
    return tokens[:, :half].contiguous(), tokens[:, half:].contiguous()


def train_step_seconds(model, a, parameters, seed):
    optimizer = torch.optim.Adam(parameters, lr=1e-5)
    prompts, responses = random_batch(a, a.TrainBatch, seed + 1)

    def step():
        loss = -token_logprobs(model, prompts, responses).sum(1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_seconds(step, a.Repeats)


def release_freed_memory():
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def reset_peak_resident():
    """Resets VmHWM to the current resident size (Linux); returns that size in bytes."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return status_bytes("VmRSS:")


def status_bytes(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def write_bf16_folder(model, folder):
    """config.json-free safetensors file of the model's tensors in BF16 under transformers' keys."""
    names = model.checkpoint_names()
    tensors = {}
    for name, value in model.state_dict().items():
        stored = value.t() if value.dim() == 2 and name.split(".")[-2] in ("c_attn", "attn_c_proj", "c_fc", "mlp_c_proj") else value
        tensors[names[name]] = stored.detach().to(torch.bfloat16).contiguous()
    header, offset = {}, 0
    for key in sorted(tensors):
        n = tensors[key].numel() * 2
        header[key] = {"dtype": "BF16", "shape": list(tensors[key].shape), "data_offsets": [offset, offset + n]}
        offset += n
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    path = os.path.join(folder, "model.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for key in sorted(tensors):
            f.write(tensors[key].view(torch.int16).numpy().tobytes())
    return path


def load_bf16(a, path):
    """Builds the float32 model, then reads each stored tensor into its parameter (one tensor in memory at a time)."""
    model = Gpt2(a)
    state = model.state_dict()
    by_key = {key: name for name, key in model.checkpoint_names().items()}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        start = 8 + n
        with torch.no_grad():
            for key, entry in header.items():
                begin, end = entry["data_offsets"]
                f.seek(start + begin)
                buffer = bytearray(end - begin)
                f.readinto(buffer)
                stored = torch.frombuffer(buffer, dtype=torch.bfloat16).view(entry["shape"])
                target = state[by_key[key]]
                target.copy_(stored.t() if target.shape != stored.shape else stored)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in [("VocabSize", 50257), ("HiddenSize", 768), ("Layers", 12), ("Heads", 12), ("MaxPositions", 1024),
                          ("ScoreBatch", 8), ("SequenceLength", 128), ("Prompts", 8), ("SamplesPerPrompt", 16),
                          ("PromptLength", 32), ("NewTokens", 64), ("TrainBatch", 8), ("LoraRank", 8), ("Repeats", 3)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = {}
    log(f"PyTorch {torch.__version__} eager, torch threads {torch.get_num_threads()}")
    # Debian's torch calls the system BLAS (BLAS_INFO=generic); the netlib reference BLAS is ~20x slower than OpenBLAS.
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    if "BLAS_INFO=generic" in torch.__config__.show() and "openblas" not in blas and "mkl" not in blas:
        log(f"warning: torch uses the system BLAS, which is {blas} (reference BLAS?); install libopenblas0-pthread for a fair peer")

    # Loading first, as in the C# benchmark: the heap has not grown yet.
    torch.manual_seed(a.seed)
    with tempfile.TemporaryDirectory(prefix="alignlab-peer-") as folder:
        source = Gpt2(a)
        model_bytes = 4 * sum(t.numel() for t in source.parameters())
        path = write_bf16_folder(source, folder)
        del source
        release_freed_memory()
        before = reset_peak_resident()
        start = time.perf_counter()
        loaded = load_bf16(a, path)
        seconds = time.perf_counter() - start
        results[LOAD_PEAK] = {"value": (status_bytes("VmHWM:") - before) / model_bytes, "unit": "x"}
        results[LOAD_TIME] = {"value": seconds, "unit": "s"}
        del loaded
    log(f"  {LOAD_PEAK}: {results[LOAD_PEAK]['value']:.3f} x, {seconds:.2f} s")

    torch.manual_seed(a.seed)
    model = Gpt2(a).eval()
    prompts, responses = random_batch(a, a.ScoreBatch, a.seed)
    with torch.no_grad():
        s = median_seconds(lambda: token_logprobs(model, prompts, responses), a.Repeats)
        results[SCORING] = {"value": a.ScoreBatch * a.SequenceLength / s, "unit": "tokens/s"}
        log(f"  {SCORING}: {results[SCORING]['value']:.1f} tokens/s")
        g = torch.Generator().manual_seed(a.seed)
        x = torch.randint(a.VocabSize, (a.Prompts, a.PromptLength), generator=g)
        release_freed_memory()
        before = reset_peak_resident()
        s = median_seconds(lambda: generate(model, x, a.SamplesPerPrompt, a.NewTokens, g), a.Repeats)
        results[GENERATION] = {"value": a.Prompts * a.SamplesPerPrompt * a.NewTokens / s, "unit": "tokens/s"}
        # The cache the C# side preallocates: layers x (keys, values) x rows x width x positions x 4 bytes.
        cache_bytes = a.Layers * 2 * a.Prompts * a.SamplesPerPrompt * a.HiddenSize * (a.PromptLength + a.NewTokens) * 4
        results[GENERATION_PEAK] = {"value": (status_bytes("VmHWM:") - before) / cache_bytes, "unit": "x"}
        log(f"  {GENERATION}: {results[GENERATION]['value']:.1f} tokens/s, {GENERATION_PEAK}: {results[GENERATION_PEAK]['value']:.2f} x")

    model.train()
    s = train_step_seconds(model, a, list(model.parameters()), a.seed)
    results[TRAIN_FULL] = {"value": a.TrainBatch * a.SequenceLength / s, "unit": "tokens/s"}
    log(f"  {TRAIN_FULL}: {results[TRAIN_FULL]['value']:.1f} tokens/s")
    torch.manual_seed(a.seed)
    for p_ in model.parameters():
        p_.requires_grad_(False)
    adapters = []
    for block in model.h:
        block.c_attn.add_lora(a.LoraRank, 2 * a.LoraRank)
        adapters += [block.c_attn.lora_A, block.c_attn.lora_B]
    s = train_step_seconds(model, a, adapters, a.seed)
    results[TRAIN_LORA] = {"value": a.TrainBatch * a.SequenceLength / s, "unit": "tokens/s"}
    log(f"  {TRAIN_LORA}: {results[TRAIN_LORA]['value']:.1f} tokens/s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
