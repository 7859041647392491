"""What the judge reads, computed the way the engine computes it (`offchain-worker/src/judge.rs`):
the cheap features of a response (`hand`, defined on Unicode scalar values and ASCII classes
only, so Python and Rust agree to the last bit before the float32 cast) and the sentence
embeddings of the default model set (`embed`: all-MiniLM-L6-v2 int8, first 128 tokens,
mean-pooled, L2-normalised, as `src/embed.rs`)."""

import math

SPACE = set(" \t\n\r\x0c")
EDGE_PUNCT = ".,;:!?\"'()[]{}<>*`_#"
HEDGES = ("as an ai", "i'm sorry", "i am sorry", "i cannot", "i can't", "i apologize")
FINAL = ".!?)\"'`*:"
HAND_FEATURES = 14
MAX_TOKENS = 128


def words(t):
    out, cur = [], []
    for ch in t:
        if ch in SPACE:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def core(w):
    w = ascii_lower(w)
    a, b = 0, len(w)
    while a < b and w[a] in EDGE_PUNCT:
        a += 1
    while b > a and w[b - 1] in EDGE_PUNCT:
        b -= 1
    return w[a:b]


def is_list_item(line):
    s = line.lstrip(" \t")
    if s[:1] in ("-", "*", "\u2022"):
        return s[1:2] in (" ", "\t")
    k = 0
    while k < len(s) and "0" <= s[k] <= "9":
        k += 1
    return 0 < k <= 3 and s[k : k + 1] in (".", ")")


def hand(query, out):
    """The HAND_FEATURES features of `out` as an answer to `query` (order: judge.rs)."""
    w = words(out)
    lines = [l for l in out.split("\n") if l.strip(" \t\r\x0c")]
    nc, nw, nl = len(out), len(w), len(lines)
    cores = [c for c in (core(x) for x in w) if c]
    distinct = set(cores)
    qwords = {c for c in (core(x) for x in words(query)) if len(c) >= 4}
    tail = out.rstrip(" \t\n\r\x0c")
    low = ascii_lower(out)
    return [
        math.log1p(nc),
        math.log1p(nw),
        math.log1p(nl),
        sum(is_list_item(l) for l in lines) / max(nl, 1),
        1.0 if "```" in out else 0.0,
        sum(l.lstrip(" \t").startswith("#") for l in lines) / max(nl, 1),
        math.log1p(out.count("**") // 2),
        math.log1p(len(query)),
        math.log1p(nc) - math.log1p(len(query)),
        1.0 if tail[-1:] != "" and tail[-1] in FINAL else 0.0,
        len(distinct) / max(len(cores), 1),
        len(qwords & distinct) / max(len(qwords), 1),
        1.0 if any(h in low for h in HEDGES) else 0.0,
        nw / max(nl, 1) / 50.0,
    ]


class Embedder:
    """The default model set's sentence embeddings (files of a models directory)."""

    def __init__(self, models_dir, threads=0):
        import numpy as np
        import onnxruntime as ort

        self.np = np
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(f"{models_dir}/embedding.tokenizer.json")
        self.tok.no_padding()
        self.tok.enable_truncation(MAX_TOKENS)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.s = ort.InferenceSession(f"{models_dir}/embedding.onnx", so, providers=["CPUExecutionProvider"])
        self.names = [i.name for i in self.s.get_inputs()]

    def __call__(self, texts, batch=32):
        np = self.np
        out = []
        for k in range(0, len(texts), batch):
            enc = self.tok.encode_batch(texts[k : k + batch])
            n = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), n), np.int64)
            mask = np.zeros_like(ids)
            for r, e in enumerate(enc):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.names:
                feed["token_type_ids"] = np.zeros_like(ids)
            h = self.s.run(None, feed)[0]
            v = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            v /= np.linalg.norm(v, axis=1, keepdims=True) + 1e-12
            out.append(v.astype(np.float32))
        return np.concatenate(out) if out else np.zeros((0, 384), np.float32)
