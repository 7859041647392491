"""Trains the NLI head of the default model set: a softmax regression over (u, v, |u-v|, u*v) of
the embedding model's sentence embeddings, on VitaminC (bigbench's vitaminc_fact_verification
task: 54,668 evidence/claim pairs, labels True / False / Neither = entailment / contradiction /
neutral).

    python train_nli_head.py VITAMINC_TASK_JSON OUT_JSON [EVERY]

Uses every EVERY-th pair (default 4: 13,667 pairs; embedding all 54,668 takes over an hour on two
cores). Deterministic: a fixed split (every 10th pair used is held back) and full-batch Adam
from zeros. Prints the accuracy on the held-back pairs and stores it in the output with the
weights.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np

import common

LABELS = ["entailment", "neutral", "contradiction"]
TARGET = {"True": 0, "Neither": 1, "False": 2}


def main():
    task_json, out_path = sys.argv[1], sys.argv[2]
    every = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    raw = open(task_json, "rb").read()
    task = json.loads(raw)
    premises, claims, labels = [], [], []
    for ex in task["examples"][::every]:
        evidence, _, claim = ex["input"].partition("\nClaim: ")
        if not claim:
            continue
        premises.append(evidence)
        claims.append(claim)
        labels.append(TARGET[max(ex["target_scores"], key=ex["target_scores"].get)])
    y = np.array(labels)
    d = common.models_dir()
    tok = common.load_tokenizer(os.path.join(d, "embedding.tokenizer.json"))
    sess = common.session(os.path.join(d, "embedding.onnx"))
    t0 = time.time()
    u = common.embed_sorted(sess, tok, premises, batch=32)
    v = common.embed_sorted(sess, tok, claims, batch=32)
    print(f"embedded {2 * len(premises)} texts in {time.time() - t0:.0f} s", file=sys.stderr)
    x = common.features(u, v)
    test = np.arange(len(y)) % 10 == 0
    xtr, ytr, xte, yte = x[~test], y[~test], x[test], y[test]
    k, dim = len(LABELS), x.shape[1]
    w = np.zeros((k, dim), dtype=np.float64)
    b = np.zeros(k, dtype=np.float64)
    onehot = np.eye(k)[ytr]
    # Class weights: VitaminC has few "Neither" pairs.
    cw = len(ytr) / (k * np.bincount(ytr, minlength=k))
    sw = cw[ytr][:, None]
    lr, l2, steps = 0.05, 1e-4, 400
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, steps + 1):
        z = xtr @ w.T + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw / len(ytr)
        gw = g.T @ xtr + l2 * w
        gb = g.sum(axis=0)
        mw = 0.9 * mw + 0.1 * gw
        vw = 0.999 * vw + 0.001 * gw * gw
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        w -= lr * (mw / (1 - 0.9**t)) / (np.sqrt(vw / (1 - 0.999**t)) + 1e-8)
        b -= lr * (mb / (1 - 0.9**t)) / (np.sqrt(vb / (1 - 0.999**t)) + 1e-8)
    acc = lambda xs, ys: float(((xs @ w.T + b).argmax(axis=1) == ys).mean())
    train_acc, test_acc = acc(xtr, ytr), acc(xte, yte)
    majority = float((yte == np.bincount(ytr).argmax()).mean())
    print(f"accuracy: train {train_acc:.4f}, held-back {test_acc:.4f} (majority class {majority:.4f})")
    head = {
        "kind": "poq-nli-head/1",
        "labels": LABELS,
        "features": "u, v, |u-v|, u*v of mean-pooled, L2-normalised embeddings; u = premise, v = hypothesis",
        "max_tokens": common.MAX_TOKENS,
        "dataset": "bigbench==1.0.0 benchmark_tasks/vitaminc_fact_verification/task.json",
        "dataset_sha256": hashlib.sha256(raw).hexdigest(),
        "pairs_used": f"every {every}th pair of {len(task['examples'])}",
        "train_pairs": int(len(ytr)),
        "heldback_pairs": int(len(yte)),
        "train_accuracy": round(train_acc, 4),
        "heldback_accuracy": round(test_acc, 4),
        "majority_baseline": round(majority, 4),
        "weights": [[round(float(c), 6) for c in row] for row in w],
        "bias": [round(float(c), 6) for c in b],
    }
    with open(out_path, "w") as f:
        json.dump(head, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
