#!/usr/bin/env bash
# Runs the committed model fixtures through the real transformers (5.x) and PyTorch of a device machine and prints the
# agreement with the expected values AlignLab's tests use (tests/AlignLab.Models.Tests/Fixtures/hf/expected*.json),
# then reads the published configs (Fixtures/configs) with transformers' AutoConfig and prints their rope parameters,
# windows and caps, to compare with docs/engine.md's table. No network: everything it reads is in the repository.
# Usage (from the repository root, where the device tool runs commands):  bash build/device-check.sh
# It needs python3 with torch and transformers importable; it takes well under a minute on the fixtures (tiny models).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import glob, json, os, sys
import torch, transformers
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

HF = "tests/AlignLab.Models.Tests/Fixtures/hf"
print(f"torch {torch.__version__}, transformers {transformers.__version__}, device check of {HF}")
torch.set_grad_enabled(False)

def load(cls, folder):
    # Eager attention: the path that applies Gemma2's soft cap in every version.
    return cls.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()

def alone(model, ids):
    # The pass AlignLab scores a sequence with: every token but the last (see make_family_fixtures.py).
    x = torch.tensor([ids[:-1]])
    logp = model(input_ids=x).logits.float().log_softmax(-1)[0]
    return [logp[i, ids[i + 1]].item() for i in range(len(ids) - 1)]

def batch(model, sequences, prompt_lengths, pad):
    p = max(prompt_lengths)
    l = max(len(s) - k for s, k in zip(sequences, prompt_lengths))
    rows, masks = [], []
    for s, k in zip(sequences, prompt_lengths):
        rows.append([pad] * (p - k) + s[:k] + s[k:] + [pad] * (l - (len(s) - k)))
        masks.append([0] * (p - k) + [1] * (k + l))
    ids, mask = torch.tensor(rows), torch.tensor(masks)
    x, m = ids[:, : p + l - 1], mask[:, : p + l - 1]
    position_ids = (m.cumsum(1) - 1).clamp(min=0)
    logp = model(input_ids=x, attention_mask=m, position_ids=position_ids).logits.float().log_softmax(-1)[:, p - 1:]
    out = logp.gather(-1, ids[:, p:, None])[..., 0]
    for r, (s, k) in enumerate(zip(sequences, prompt_lengths)):
        out[r, len(s) - k:] = 0
    return out.tolist()

worst = 0.0
for name in ("expected.json", "expected_families.json"):
    for folder, e in json.load(open(os.path.join(HF, name))).items():
        try:
            model = load(AutoModelForCausalLM, os.path.join(HF, folder))
        except Exception as ex:  # a form this transformers does not read is worth seeing, not fatal
            print(f"{folder:32s} NOT LOADED by transformers: {type(ex).__name__}: {str(ex).splitlines()[0]}")
            continue
        d = max(abs(a - b) for s, row in zip(e["sequences"], e["logprobs"]) for a, b in zip(alone(model, s), row))
        line = f"{folder:32s} max |Δ log-prob| alone {d:.2e}"
        if "batch" in e:
            got = batch(model, e["sequences"], e["prompt_lengths"], pad=model.config.vocab_size - 1)
            db = max(abs(a - b) for gr, er in zip(got, e["batch"]) for a, b in zip(gr, er))
            line += f", padded batch {db:.2e}"
            d = max(d, db)
        worst = max(worst, d)
        print(line + ("" if d < 1e-4 else "   <-- over 1e-4"))
for name in ("expected_rewards.json", "expected_family_rewards.json"):
    for folder, e in json.load(open(os.path.join(HF, name))).items():
        model = load(AutoModelForSequenceClassification, os.path.join(HF, folder))
        got = [model(input_ids=torch.tensor([s])).logits[0, 0].item() for s in e["sequences"]]
        d = max(abs(a - b) for a, b in zip(got, e["rewards"]))
        worst = max(worst, d)
        print(f"{folder:32s} max |Δ reward| {d:.2e}" + ("" if d < 1e-4 else "   <-- over 1e-4"))
print(f"largest difference from the committed expectations: {worst:.2e}")

print("\npublished configs as transformers reads them (compare docs/engine.md, 'Published checkpoints'):")
for path in sorted(glob.glob("tests/AlignLab.Models.Tests/Fixtures/configs/*/config.json")):
    name = os.path.basename(os.path.dirname(path))
    try:
        c = AutoConfig.from_pretrained(os.path.dirname(path))
    except Exception as ex:
        print(f"{name:32s} NOT READ: {type(ex).__name__}: {str(ex).splitlines()[0]}")
        continue
    rope = getattr(c, "rope_parameters", None) or getattr(c, "rope_scaling", None)
    extra = {k: getattr(c, k) for k in ("sliding_window", "layer_types", "attn_logit_softcapping", "final_logit_softcapping",
                                         "query_pre_attn_scalar", "hidden_act", "hidden_activation", "head_dim") if hasattr(c, k)}
    if "layer_types" in extra and extra["layer_types"]:
        extra["layer_types"] = f"{sum(t == 'sliding_attention' for t in extra['layer_types'])} sliding of {len(extra['layer_types'])}"
    print(f"{name:32s} {c.model_type:9s} rope {rope} {extra}")
PY
