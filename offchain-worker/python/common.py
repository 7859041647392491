"""What the Python scripts share with the Rust engine: tokenisation and mean pooling.

Kept identical to `offchain-worker/src/embed.rs` and `src/alignment.rs`, so that the golden scores
and the benchmark compare the same computation.
"""
import json
import os

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MAX_TOKENS = 128


def models_dir():
    d = os.environ.get("POQ_MODELS_DIR") or os.path.expanduser("~/.cache/poq-models/default")
    if not os.path.isdir(d):
        raise SystemExit(f"models directory {d} not found: run scripts/models.sh first")
    return d


def load_tokenizer(path):
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    return tok


def session(path, threads=0):
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def encode_batch(tok, texts):
    """Token ids, attention mask and type ids, right-padded with zeros to the longest."""
    enc = [tok.encode(t) for t in texts]
    n = max(len(e.ids) for e in enc)
    ids = np.zeros((len(enc), n), dtype=np.int64)
    mask = np.zeros((len(enc), n), dtype=np.int64)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask, np.zeros_like(ids)


def embed(sess, tok, texts, batch=32):
    """Mean-pooled over the attention mask, L2-normalised sentence embeddings (float32)."""
    out = []
    for i in range(0, len(texts), batch):
        ids, mask, types = encode_batch(tok, texts[i : i + batch])
        (hidden,) = sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        out.append(pooled / np.maximum(norm, 1e-12))
    return np.concatenate(out).astype(np.float32)


def embed_sorted(sess, tok, texts, batch=32):
    """`embed` with the texts batched by token length (less padding), results in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(tok.encode(texts[i]).ids))
    e = embed(sess, tok, [texts[i] for i in order], batch)
    out = np.empty_like(e)
    out[order] = e
    return out
