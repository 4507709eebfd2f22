#!/usr/bin/python3
"""Builds the tiny SentencePiece fixture for ModelTokenizer's tests (run with Debian's python3-sentencepiece).

Trains a byte-fallback BPE model with Llama-2's normaliser settings (identity rule, dummy prefix, whitespace kept
as it is) on a small generated corpus, and records the ids that the reference SentencePiece library gives for a
few texts, so that the C# tests compare against an implementation that is not ours without needing Python in CI.

    /usr/bin/python3 tests/AlignLab.Engine.Tests/Tokenization/Fixtures/make_sentencepiece_fixture.py
"""
import io
import json
import os
import random

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sentencepiece")

WORDS = ("the best of n policy samples n responses and keeps the one with the highest reward "
         "alignment language model prompt token sequence win rate divergence tilting harmonic").split()
TEXTS = [
    "Hello world",
    "the best of n policy",
    "  two leading spaces and two  inner  spaces ",
    "line one\nline two\n\ttabbed",
    "unicode: café, naïve, 東京, emoji 🙂",
    "x",
]


def corpus(count=2000, seed=0):
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        lines.append(" ".join(words))
    return "\n".join(lines) + "\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus().splitlines()),
        model_writer=model,
        model_type="bpe",
        vocab_size=384,
        byte_fallback=True,                 # unseen characters become <0xNN> pieces, as in Llama-2
        normalization_rule_name="identity",  # Llama-2: no NFKC
        remove_extra_whitespaces=False,     # Llama-2: runs of spaces are kept
        add_dummy_prefix=True,
        split_digits=True,
        character_coverage=1.0,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        seed_sentencepiece_size=1000,
        num_threads=1,
    )
    with open(os.path.join(OUT, "tokenizer.model"), "wb") as f:
        f.write(model.getvalue())

    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    expected = [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in TEXTS]
    header = {"vocab_size": sp.get_piece_size(), "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "unk_id": sp.unk_id()}
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        # One case per line keeps the fixture's diffs readable.
        f.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in expected))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
