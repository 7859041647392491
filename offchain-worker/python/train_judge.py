"""Trains the judge of the default model set and exports it (`judge.onnx`, weight-only int8, and
`judge.json`). Run through `scripts/train-judge.sh`, which checks the inputs.

    train_judge.py ALPACA_EVAL_CHECKOUT MODELS_DIR WORK_DIR OUT_DIR [--steps N] [--threads T]

1. The data (`judge_data.py`): AlpacaEval's community models' answers to instructions 0-399,
   with GPT-4 Turbo's per-item verdicts where the lock has them and every model's
   length-controlled win rate.
2. The features (`judge_features.py`), cached in WORK_DIR/features.npz: the query's and the
   answer's embeddings from the model set, and the cheap features.
3. Five two-layer perceptrons trained with numpy (Adam, weight decay), their mean logit the
   score; each one's state is saved in WORK_DIR every 500 steps, so a stopped run resumes.
   Instructions 300-399 are never trained on. Each quarter of the models is held out in turn
   (four-fold figures of the recipe); the shipped judge is the one trained without quarter 0
   (`judge_data.SHIPPED_FOLD`), so that `scripts/audit-dev.sh --alpaca-eval` can measure the
   whole engine on answers and models it never saw.
4. The export: the graph of `judge.rs` (inputs query, response, features; output the score),
   the first layer's weights as int8 with one scale per column (`onnx_int8.py`).
5. The development figures, measured on the exported int8 file with onnxruntime, into
   judge.json.

No PyTorch and no GPU: the whole run takes minutes on a CPU (most of it the embeddings).
"""

import argparse
import hashlib
import json
import os
import time
from collections import defaultdict

import numpy as np

import judge_data
from judge_features import HAND_FEATURES, Embedder, hand
from onnx_int8 import weight_only_int8

DIM = 384
SEED = 20261206
# Knots of the calibration (the distribution of the training answers' logits).
KNOTS = 64
# Share of the training answers also given, as negatives, to another instruction.
NEGATIVE_SHARE = 0.25


# ---------------------------------------------------------------------------------------------
# Step 2: features
# ---------------------------------------------------------------------------------------------


def features(root, models_dir, work, threads):
    """Arrays of the data, cached in WORK/features.npz (keyed by the lock and the model set)."""
    _, files = judge_data.lock()
    key = hashlib.sha256(
        json.dumps(sorted(files.items())).encode()
        + open(os.path.join(models_dir, "embedding.onnx"), "rb").read()
        + open(os.path.abspath(__file__).replace("train_judge.py", "judge_features.py"), "rb").read()
    ).hexdigest()
    cache = os.path.join(work, "features.npz")
    instructions, items = judge_data.items(root)
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=False)
        if str(z["key"]) == key and len(z["i"]) == len(items):
            return instructions, items, dict(z)
    embed = Embedder(models_dir, threads)
    t = time.time()
    q = embed(instructions)
    r = []
    for k in range(0, len(items), 2048):
        r.append(embed([it["output"] for it in items[k : k + 2048]]))
        print(f"train_judge: embedded {min(k + 2048, len(items))}/{len(items)} answers ({time.time() - t:.0f} s)", flush=True)
    z = {
        "key": np.array(key),
        "q": q,
        "r": np.concatenate(r),
        "h": np.array([hand(instructions[it["i"]], it["output"]) for it in items], np.float32),
        "i": np.array([it["i"] for it in items]),
    }
    np.savez(cache, **z)
    return instructions, items, z


def rows_of(q, r, h):
    """The judge's input rows from query embeddings, answer embeddings and hand features (the
    graph of `export` computes the same from its three inputs)."""
    qr = q * r
    return np.concatenate([q, r, qr, h, qr.sum(1, keepdims=True)], 1).astype(np.float32)


def inputs(z, idx):
    """The input rows of answers to their own instructions."""
    return rows_of(z["q"][z["i"][idx]], z["r"][idx], z["h"][idx])


def mismatched(z, items, instructions, rows, seed):
    """Negatives: a quarter of the training answers, each given as the answer to another
    training instruction (drawn by a fixed rule), with target 0. Community models always answer
    on topic, so without these the judge would learn style alone and pay a well-formatted
    answer to another question."""
    rng = np.random.default_rng([seed, 1])
    pick = rows[rng.random(len(rows)) < NEGATIVE_SHARE]
    own = z["i"][pick]
    train_i = np.unique(z["i"][rows])
    other = train_i[rng.integers(0, len(train_i), len(pick))]
    other = np.where(other == own, train_i[(np.searchsorted(train_i, other) + 1) % len(train_i)], other)
    h = np.array([hand(instructions[j], items[k]["output"]) for j, k in zip(other, pick)], np.float32)
    return rows_of(z["q"][other], z["r"][pick], h)


# ---------------------------------------------------------------------------------------------
# Step 3: training
# ---------------------------------------------------------------------------------------------


def targets(items):
    """Per answer: the judge's preference where annotated, else its model's LC win rate."""
    return np.array([it["pref"] if it["pref"] is not None else it["lc"] / 100.0 for it in items], np.float32)


def split(items, fold=None):
    """Indices of the training rows and of the development rows (instructions 300-399) for
    `fold`: its quarter of the models is held out of training and is the development set
    (`fold=None`: no model is held out, the development rows are every model's). The probe
    (`NullModel`) is never trained on."""
    train, dev = [], []
    for k, it in enumerate(items):
        if it["model"] == judge_data.PROBE:
            continue
        held = fold is not None and judge_data.model_fold(it["model"]) == fold
        if it["i"] < judge_data.DEV_FROM and not held:
            train.append(k)
        elif it["i"] >= judge_data.DEV_FROM and (held or fold is None):
            dev.append(k)
    return np.array(train), np.array(dev)


def probe_rows(items):
    """The probe's answers to the development instructions."""
    return np.array([k for k, it in enumerate(items) if it["model"] == judge_data.PROBE and it["i"] >= judge_data.DEV_FROM])


class Mlp:
    def __init__(self, d, hidden, rng):
        self.p = {
            "w1": rng.normal(0, 1 / np.sqrt(d), (d, hidden)).astype(np.float32),
            "b1": np.zeros(hidden, np.float32),
            "w2": rng.normal(0, 1 / np.sqrt(hidden), (hidden, 1)).astype(np.float32),
            "b2": np.zeros(1, np.float32),
        }

    def forward(self, x):
        a = np.tanh(x @ self.p["w1"] + self.p["b1"])
        return a, (a @ self.p["w2"] + self.p["b2"])[:, 0]

    def grads(self, x, y):
        """Gradients of the mean cross-entropy against soft targets y."""
        a, z = self.forward(x)
        g = ((1 / (1 + np.exp(-z))) - y)[:, None] / len(x)
        ga = g @ self.p["w2"].T * (1 - a * a)
        return {"w1": x.T @ ga, "b1": ga.sum(0), "w2": a.T @ g, "b2": g.sum(0)}


def fit(x, y, work, name, steps, seed, hidden=64, lr=1e-3, wd=1e-4, batch=256):
    """One perceptron on normalised rows x with soft targets y (Adam; cross-entropy; weight
    decay). Checkpointed in WORK/judge-NAME.npz every 500 steps: a stopped run resumes, and the
    batches after a checkpoint depend only on (seed, step), so a resumed run ends where an
    uninterrupted one does."""
    rng = np.random.default_rng(seed)
    mlp = Mlp(x.shape[1], hidden, rng)
    m = {k: np.zeros_like(v) for k, v in mlp.p.items()}
    v = {k: np.zeros_like(v) for k, v in mlp.p.items()}
    start = 0
    ckpt = os.path.join(work, f"judge-{name}.npz")
    if os.path.exists(ckpt):
        c = np.load(ckpt)
        if int(c["steps"]) == steps and c["w1"].shape == mlp.p["w1"].shape:
            start = int(c["step"])
            for k in mlp.p:
                mlp.p[k], m[k], v[k] = c[k], c["m_" + k], c["v_" + k]
            rng = np.random.default_rng([seed, start])
    for step in range(start + 1, steps + 1):
        k = rng.integers(0, len(x), batch)
        g = mlp.grads(x[k], y[k])
        for key, p in mlp.p.items():
            gg = g[key] + (wd * p if key.startswith("w") else 0)
            m[key] = 0.9 * m[key] + 0.1 * gg
            v[key] = 0.999 * v[key] + 0.001 * gg * gg
            p -= lr * (m[key] / (1 - 0.9**step)) / (np.sqrt(v[key] / (1 - 0.999**step)) + 1e-8)
        if step % 500 == 0 or step == steps:
            np.savez(ckpt, step=step, steps=steps, **mlp.p, **{"m_" + k: m[k] for k in m}, **{"v_" + k: v[k] for k in v})
            rng = np.random.default_rng([seed, step])
    return mlp


class Ensemble:
    """Perceptrons trained from different seeds on the same rows; the score is the percentile
    of their mean logit among the training answers'. It is one wider perceptron (the hidden layers side by side, the output
    weights divided by their number), which is how it is exported."""

    def __init__(self, z, items, instructions, rows, work, name, steps, members):
        neg = mismatched(z, items, instructions, rows, SEED)
        x = np.concatenate([inputs(z, rows), neg])
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        xn = (x - self.mu) / self.sd
        y = np.concatenate([targets(items)[rows], np.zeros(len(neg), np.float32)])
        mlps = [fit(xn, y, work, f"{name}-{s}", steps, SEED + s) for s in range(members)]
        self.p = {
            "w1": np.concatenate([m.p["w1"] for m in mlps], 1),
            "b1": np.concatenate([m.p["b1"] for m in mlps]),
            "w2": np.concatenate([m.p["w2"] for m in mlps], 0) / members,
            "b2": np.mean([m.p["b2"] for m in mlps], 0),
        }
        self.rows = len(rows)
        # The calibration: the logits of the training answers at every 1/KNOTS of their
        # distribution; the score of an answer is the share of them it beats, linearly
        # interpolated between the knots.
        logits = np.sort(self.logit(z, rows))
        self.knots = np.quantile(logits, np.linspace(0, 1, KNOTS + 1)).astype(np.float32)
        self.knots = np.maximum.accumulate(self.knots + np.arange(KNOTS + 1, dtype=np.float32) * 1e-6)

    def logit(self, z, rows):
        """The mean logit of the members."""
        xn = (inputs(z, rows) - self.mu) / self.sd
        return (np.tanh(xn @ self.p["w1"] + self.p["b1"]) @ self.p["w2"] + self.p["b2"])[:, 0]

    def percentile(self, logits):
        """The share of the training answers each logit beats (the graph of `export`)."""
        lo, hi = self.knots[:-1], self.knots[1:]
        t = np.clip((logits[:, None] - lo) / (hi - lo), 0, 1)
        return t.mean(1)

    def score(self, z, rows):
        return self.percentile(self.logit(z, rows))


# ---------------------------------------------------------------------------------------------
# Step 4: export
# ---------------------------------------------------------------------------------------------


def export(judge, work, out_dir):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    f = TensorProto.FLOAT
    init = lambda name, a: numpy_helper.from_array(np.asarray(a, np.float32), name)
    nodes = [
        helper.make_node("Mul", ["query", "response"], ["qr"]),
        helper.make_node("ReduceSum", ["qr", "axis1"], ["cos"], keepdims=1),
        helper.make_node("Concat", ["query", "response", "qr", "features", "cos"], ["x"], axis=1),
        helper.make_node("Sub", ["x", "mu"], ["xc"]),
        helper.make_node("Mul", ["xc", "inv_sd"], ["xn"]),
        helper.make_node("MatMul", ["xn", "w1"], ["h1"]),
        helper.make_node("Add", ["h1", "b1"], ["h2"]),
        helper.make_node("Tanh", ["h2"], ["a"]),
        helper.make_node("MatMul", ["a", "w2"], ["z1"]),
        helper.make_node("Add", ["z1", "b2"], ["z"]),
        helper.make_node("Sub", ["z", "knots_lo"], ["zk"]),
        helper.make_node("Mul", ["zk", "knots_inv_width"], ["zt"]),
        helper.make_node("Clip", ["zt", "zero", "one"], ["t"]),
        helper.make_node("MatMul", ["t", "knot_share"], ["score"]),
    ]
    inits = [
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        init("mu", judge.mu),
        init("inv_sd", 1 / judge.sd),
        init("w1", judge.p["w1"]),
        init("b1", judge.p["b1"]),
        init("w2", judge.p["w2"]),
        init("b2", judge.p["b2"]),
        init("knots_lo", judge.knots[None, :-1]),
        init("knots_inv_width", 1 / (judge.knots[None, 1:] - judge.knots[None, :-1])),
        init("zero", np.float32(0)),
        init("one", np.float32(1)),
        init("knot_share", np.full((KNOTS, 1), 1 / KNOTS, np.float32)),
    ]
    graph = helper.make_graph(
        nodes,
        "poq-judge",
        [
            helper.make_tensor_value_info("query", f, ["n", DIM]),
            helper.make_tensor_value_info("response", f, ["n", DIM]),
            helper.make_tensor_value_info("features", f, ["n", HAND_FEATURES]),
        ],
        [helper.make_tensor_value_info("score", f, ["n", 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="poq train_judge.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    fp32 = os.path.join(work, "judge.fp32.onnx")
    onnx.save(model, fp32)
    path = os.path.join(out_dir, "judge.onnx")
    weight_only_int8(fp32, path)
    return path


# ---------------------------------------------------------------------------------------------
# Step 5: development figures (on the int8 file)
# ---------------------------------------------------------------------------------------------


def spearman(a, b):
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def onnx_scores(path, z, idx):
    import onnxruntime as ort

    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    q, r, h = z["q"][z["i"][idx]], z["r"][idx], z["h"][idx]
    return s.run(None, {"query": q, "response": r, "features": h})[0][:, 0]


def measure(items, rows, scores, probe_mean=None):
    """On `rows` scored `scores`: the Spearman of the models' mean scores with their LC win rates,
    the pairwise agreement with the judge's per-item preferences (two annotated answers to one
    instruction that the judge rates differently), where the probe's mean falls among the
    models' means, and a reliability table (the judge's mean preference per tenth of scores)."""
    per, byi = defaultdict(list), defaultdict(list)
    for k, v in zip(rows, scores):
        it = items[k]
        per[it["model"]].append(float(v))
        if it["pref"] is not None:
            byi[it["i"]].append((it["pref"], float(v)))
    lc = {it["model"]: it["lc"] for it in items}
    names = sorted(per)
    means = np.array([np.mean(per[m]) for m in names])
    right = total = 0
    for lst in byi.values():
        for a in range(len(lst)):
            for b in range(a + 1, len(lst)):
                if lst[a][0] != lst[b][0]:
                    total += 1
                    right += (lst[a][0] > lst[b][0]) == (lst[a][1] > lst[b][1])
    ann = [(float(v), items[k]["pref"]) for k, v in zip(rows, scores) if items[k]["pref"] is not None]
    bins = []
    for t in range(10):
        sel = [(p, y) for p, y in ann if t / 10 <= p < (t + 1) / 10 or (t == 9 and p == 1.0)]
        if sel:
            bins.append({"from": t / 10, "n": len(sel), "mean_score": round(float(np.mean([p for p, _ in sel])), 4), "mean_judge": round(float(np.mean([y for _, y in sel])), 4)})
    out = {
        "models": len(names),
        "answers": len(rows),
        "model_spearman_lc": round(spearman(means, np.array([lc[m] for m in names])), 4),
        "item_pairwise_agreement": round(right / max(total, 1), 4),
        "item_pairs": total,
        "reliability": bins,
        "model_means": {m: round(float(x), 4) for m, x in zip(names, means)},
    }
    if probe_mean is not None:
        out["probe_mean"] = round(probe_mean, 4)
        out["probe_models_below"] = int(sum(m < probe_mean for m in means))
    return out


def cross_validation(z, items, instructions, work, steps, members):
    """Each quarter of the models held out in turn: its answers to instructions 300-399 scored by
    a judge trained without it (fp32, numpy). The figures of the recipe on unseen models and
    instructions."""
    rows, scores, probe = [], [], []
    pr = probe_rows(items)
    for fold in range(judge_data.FOLDS):
        tr, dev = split(items, fold)
        judge = Ensemble(z, items, instructions, tr, work, f"fold{fold}", steps, members)
        rows.append(dev)
        scores.append(judge.score(z, dev))
        probe.append(judge.score(z, pr).mean())
        print(f"train_judge: fold {fold} done", flush=True)
    return measure(items, np.concatenate(rows), np.concatenate(scores), float(np.mean(probe)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alpaca_eval")
    ap.add_argument("models_dir")
    ap.add_argument("work")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    instructions, items, z = features(a.alpaca_eval, a.models_dir, a.work, a.threads)
    t1 = time.time()
    cv = cross_validation(z, items, instructions, a.work, a.steps, a.members)
    tr, dev = split(items, judge_data.SHIPPED_FOLD)
    judge = Ensemble(z, items, instructions, tr, a.work, "final", a.steps, a.members)
    path = export(judge, a.work, a.out)
    pr = probe_rows(items)
    shipped = measure(items, dev, onnx_scores(path, z, dev), float(onnx_scores(path, z, pr).mean()))
    _, seen = split(items)
    seen = np.array([k for k in seen if judge_data.model_fold(items[k]["model"]) != judge_data.SHIPPED_FOLD])
    in_dist = measure(items, seen, onnx_scores(path, z, seen))
    commit, _ = judge_data.lock()
    meta = {
        "what": "how good an answer is: the share of the community models' answers (training instructions) that it beats by the learned preference of GPT-4 Turbo over GPT-4 Preview, from the query's and the answer's embeddings and 14 cheap features (offchain-worker/src/judge.rs)",
        "data": f"AlpacaEval {commit}: community models only, instructions 0-{judge_data.DEV_FROM - 1}; NullModel never trained on",
        "target": "the judge's per-item preference where annotated, else the model's length-controlled win rate / 100",
        "model": f"{a.members} perceptrons (one tanh layer of 64) from different seeds, mean logit",
        "calibration": f"the score is the share of the training answers whose logit is lower ({KNOTS} knots, linear between them)",
        "training_answers": judge.rows,
        "steps": a.steps,
        "features_seconds": round(t1 - t0, 1),
        "training_seconds": round(time.time() - t1, 1),
        "development_unseen_models_four_folds": cv,
        "shipped_file_unseen_models": shipped,
        "in_distribution_seen_models": in_dist,
    }
    with open(os.path.join(a.out, "judge.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    brief = lambda d: {k: v for k, v in d.items() if k not in ("model_means", "reliability")}
    print(json.dumps({
        "development (each quarter of the models unseen in turn, instructions 300-399)": brief(cv),
        "the shipped file (its unseen quarter of the models, instructions 300-399)": brief(shipped),
        "in distribution (the shipped file, models it trained on, instructions 300-399)": brief(in_dist),
    }, indent=1))


if __name__ == "__main__":
    main()
