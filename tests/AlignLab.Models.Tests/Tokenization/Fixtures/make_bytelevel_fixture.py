#!/usr/bin/python3
"""Writes the tiny byte-level BPE fixture (a Llama-3-shaped tokenizer.json) for ModelTokenizer's tests.

Ids 0-255 are the bytes themselves (byte b is the token GPT-2's bytes_to_unicode gives it), then a handful of
merges, one vocabulary entry no merge reaches (to exercise ignore_merges), and added tokens: BOS and two EOS specials (as Llama-3 instruct) and
two runs of spaces (non-special, as in Pythia's tokenizer) so that longest-first matching is visible.

    /usr/bin/python3 tests/AlignLab.Engine.Tests/Tokenization/Fixtures/make_bytelevel_fixture.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bytelevel")

# Llama-3's pre-tokenizer pattern.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    mapping, extra = {}, 256
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(extra)
            extra += 1
    return mapping


def main():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("l", "o"), ("lo", "w")]
    for left, right in merges:
        vocab[left + right] = len(vocab)
    vocab["Ġworld"] = len(vocab)  # reachable only through ignore_merges: no merge builds it
    added = [("<|begin_of_text|>", True), ("<|end_of_text|>", True), ("<|eot_id|>", True), ("  ", False), ("   ", False)]
    added_tokens = []
    for content, special in added:
        added_tokens.append({"id": len(vocab) + len(added_tokens), "content": content, "single_word": False,
                             "lstrip": False, "rstrip": False, "normalized": False, "special": special})
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [vocab["Ġworld"] + 1],
                                                      "tokens": ["<|begin_of_text|>"]}}}]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
        f.write("\n")
    bos, eos = vocab["Ġworld"] + 1, vocab["Ġworld"] + 2
    with open(os.path.join(OUT, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"model_type": "llama", "bos_token_id": bos, "eos_token_id": eos, "vocab_size": len(vocab) + len(added)}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token_id": bos, "eos_token_id": [eos, vocab["Ġworld"] + 3]}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
