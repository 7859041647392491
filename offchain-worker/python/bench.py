"""The Python half of `poq-scorer bench`: the same pairs through Python onnxruntime, with the same
tokenizer, pooling and NLI head, at batch 1 and 32. Prints JSON on stdout.

    python bench.py PAIRS_JSON MODELS_DIR THREADS
"""
import json
import os
import resource
import sys
import time

import numpy as np

import common


def main():
    pairs = json.load(open(sys.argv[1]))
    d, threads = sys.argv[2], int(sys.argv[3])
    tok = common.load_tokenizer(os.path.join(d, "embedding.tokenizer.json"))
    sess = common.session(os.path.join(d, "embedding.onnx"), threads)
    w, b, _ = common.load_head(os.path.join(d, "nli-head.json"))
    premises = [p[0] for p in pairs]
    hypotheses = [p[1] for p in pairs]
    n = len(pairs)
    out = {"semantic": {}, "alignment": {}}
    common.embed(sess, tok, premises[:1])  # warm-up
    for batch in (1, 32):
        t = time.perf_counter()
        u = common.embed(sess, tok, premises, batch)
        v = common.embed(sess, tok, hypotheses, batch)
        sims = (u * v).sum(axis=1)
        out["semantic"][str(batch)] = n / (time.perf_counter() - t)
        t = time.perf_counter()
        acc = 0.0
        for i in range(0, n, batch):
            texts = [premises[i]] + hypotheses[i : i + batch]
            e = common.embed(sess, tok, texts, batch)
            q, outs = e[0], e[1:]
            p = common.head_probs(w, b, np.repeat(q[None, :], len(outs), axis=0), outs)
            nli = (1 + p[:, 0] - p[:, 2]) / 2
            acc += float((0.5 * nli + 0.5 * np.maximum(outs @ q, 0)).sum())
        out["alignment"][str(batch)] = n / (time.perf_counter() - t)
        _ = (sims, acc)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
