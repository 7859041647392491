"""The engine's semantic and alignment scores in Python onnxruntime: an independent implementation
of `src/lib.rs`, `src/semantic.rs`, `src/alignment.rs` and `src/segment.rs` (same files, same
tokenizer, same segmentation, same premise rules), for the golden scores and the benchmark.
"""
import os
import re

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

import common

MAX_PAIR_TOKENS = 256
WHOLE_PREMISE_TOKENS = 200
CHUNK_TOKENS = 180
CLAIM_TOKENS = 64
MAX_CLAIMS = 4
TOP_CHUNKS = 2

_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
_WORD = re.compile(r"[^\W_]+")


def sentences(text):
    return [s.strip() for s in _BREAK.split(text) if s.strip()]


def pack(tokens, budget):
    groups, start, used = [], 0, 0
    for i, t in enumerate(tokens):
        if i > start and used + t > budget:
            groups.append((start, i))
            start, used = i, 0
        used += t
    if start < len(tokens):
        groups.append((start, len(tokens)))
    return groups


def words(text):
    return {w.lower() for w in _WORD.findall(text)}


def best_chunks(claim, chunks, k):
    if len(chunks) <= k:
        return list(range(len(chunks)))
    scored = sorted(((-len(claim & c), i) for i, c in enumerate(chunks)))
    return sorted(i for _, i in scored[:k])


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class Engine:
    def __init__(self, models_dir, threads=1):
        self.tok = common.load_tokenizer(os.path.join(models_dir, "embedding.tokenizer.json"))
        self.emb = common.session(os.path.join(models_dir, "embedding.onnx"), threads)
        self.ce = common.session(os.path.join(models_dir, "cross-encoder.onnx"), threads)
        self.pair = Tokenizer.from_file(os.path.join(models_dir, "cross-encoder.tokenizer.json"))
        self.pair.no_padding()
        self.pair.enable_truncation(MAX_PAIR_TOKENS, strategy="longest_first")
        self.counter = Tokenizer.from_file(os.path.join(models_dir, "cross-encoder.tokenizer.json"))
        self.counter.no_padding()
        self.counter.no_truncation()

    def count(self, text):
        return len(self.counter.encode(text, add_special_tokens=False).ids)

    def premise(self, text):
        if self.count(text) <= WHOLE_PREMISE_TOKENS:
            return False, [text]
        sents = sentences(text)
        groups = pack([self.count(s) for s in sents], CHUNK_TOKENS)
        return True, [" ".join(sents[a:b]) for a, b in groups]

    def claims(self, output):
        sents = sentences(output)
        tokens = [self.count(s) for s in sents]
        budget = max(CLAIM_TOKENS, -(-sum(tokens) // MAX_CLAIMS))
        return [" ".join(sents[a:b]) for a, b in pack(tokens, budget)]

    def support(self, pairs, batch):
        out = []
        for i in range(0, len(pairs), batch):
            enc = self.pair.encode_batch(pairs[i : i + batch])
            n = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), n), dtype=np.int64)
            mask, types = np.zeros_like(ids), np.zeros_like(ids)
            for r, e in enumerate(enc):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
                types[r, : len(e.ids)] = e.type_ids
            (logits,) = self.ce.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            out.extend(softmax(logits)[:, 1].tolist())
        return out

    def score_task(self, query, reference, outputs, batch=32):
        """[(semantic, alignment)] per output; (0, 0) for an empty output."""
        chunked, texts = self.premise(f"{query}\n{reference}" if reference is not None else query)
        anchors = [reference] if reference is not None else texts
        e = common.embed(self.emb, self.tok, anchors + outputs, batch)
        anchor = e[0] if len(anchors) == 1 else e[: len(anchors)].sum(axis=0)
        anchor = anchor / max(np.linalg.norm(anchor), 1e-12)
        outs = e[len(anchors) :]
        chunk_words = [words(t) for t in texts]
        pairs, plan = [], []
        for o in outputs:
            if not o.strip():
                plan.append(None)
                continue
            per_claim = []
            for claim in (self.claims(o) if chunked else [o]):
                chosen = best_chunks(words(claim), chunk_words, TOP_CHUNKS) if chunked else [0]
                per_claim.append([len(pairs) + k for k in range(len(chosen))])
                pairs.extend((texts[c], claim) for c in chosen)
            plan.append(per_claim)
        support = self.support(pairs, batch) if pairs else []
        scores = []
        for i, claims in enumerate(plan):
            if claims is None:
                scores.append((0.0, 0.0))
                continue
            best = [max(support[p] for p in ps) for ps in claims]
            sem = float(np.clip(outs[i] @ anchor, 0.0, 1.0))
            scores.append((sem, float(np.clip(sum(best) / len(best), 0.0, 1.0))))
        return scores
