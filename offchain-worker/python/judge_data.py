"""The judge's training data, from a checkout of AlpacaEval (github.com/tatsu-lab/alpaca_eval) at
the commit of `judge-data.lock`, within what issue #25 permits:

- only models whose filter is `community` in
  `docs/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv`;
- only the first 400 instructions (index < 400 in the order of
  `results/gpt4_1106_preview/model_outputs.json`, a file read for that order alone: GPT-4
  Preview is a `minimal` model, so its answers are never used);
- verified and minimal models and instructions 400-804 are never read.

`NullModel` (a constant text built to fool LLM judges, `community`) is kept out of training: its
judge labels are wrong by construction. It is scored on the development instructions only, as the
probe of the "judge-gaming text ranks low" target.

Every file read is checked against its sha256 in `judge-data.lock`.
"""

import csv
import hashlib
import json
import os
import re

LOCK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge-data.lock")
LEADERBOARD = "docs/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
ORDER = "results/gpt4_1106_preview/model_outputs.json"
INSTRUCTIONS = 400
# Instructions 300-399 are never trained on; with a quarter of the models (`model_fold`) held out
# of training in turn, they are the development split.
DEV_FROM = 300
PROBE = "NullModel"


def lock():
    """The commit and the {path: sha256} of the lock."""
    commit, files = None, {}
    with open(LOCK) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("commit "):
                commit = line.split()[1]
                continue
            path, sha = line.split("\t")
            files[path] = sha
    return commit, files


def read(root, path, files):
    want = files.get(path)
    if want is None:
        raise SystemExit(f"judge_data: {path} is not in {LOCK}")
    full = os.path.join(root, path)
    try:
        with open(full, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise SystemExit(f"judge_data: cannot read {full} ({e.strerror}); check out AlpacaEval at the lock's commit")
    got = hashlib.sha256(raw).hexdigest()
    if got != want:
        raise SystemExit(f"judge_data: {full} has sha256 {got}, expected {want} ({LOCK})")
    return raw


FOLDS = 4
# The quarter of the models the shipped judge never trained on (the development set of
# `scripts/audit-dev.sh --alpaca-eval`).
SHIPPED_FOLD = 0


def model_fold(name):
    """The quarter of the community models a model belongs to (a fixed rule): each quarter is
    held out of training in turn for the development figures."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % FOLDS


def community(root, files):
    """[(results dir, leaderboard name, LC win rate)] of the community models in the lock."""
    rows = csv.DictReader(read(root, LEADERBOARD, files).decode().splitlines())
    out = []
    for r in rows:
        m = re.search(r"results/([^/]+)/model_outputs.json", r["samples"])
        if r["filter"] != "community" or not m:
            continue
        d = m.group(1)
        if f"results/{d}/model_outputs.json" in files:
            out.append((d, r["name"], float(r["length_controlled_winrate"])))
    return out


def items(root):
    """The instructions (first 400) and one dict per community answer: instruction index `i`,
    `model` (results dir), `lc` (its LC win rate, percent), `output`, `pref` (the judge's
    probability that the answer beats GPT-4 Preview's, or None where the lock has no
    annotations for the model)."""
    _, files = lock()
    order = json.loads(read(root, ORDER, files))
    instructions = [o["instruction"] for o in order[:INSTRUCTIONS]]
    index = {t: i for i, t in enumerate(instructions)}
    out = []
    for d, _name, lc in community(root, files):
        prefs = {}
        ann = f"results/{d}/weighted_alpaca_eval_gpt4_turbo/annotations.json"
        if ann in files:
            for a in json.loads(read(root, ann, files)):
                i = index.get(a.get("instruction"))
                if i is not None and a.get("preference") is not None:
                    prefs[i] = float(a["preference"]) - 1.0
        seen = set()
        for o in json.loads(read(root, f"results/{d}/model_outputs.json", files)):
            i = index.get(o.get("instruction"))
            if i is None or i in seen or not isinstance(o.get("output"), str):
                continue
            seen.add(i)
            out.append({"i": i, "model": d, "lc": lc, "output": o["output"], "pref": prefs.get(i)})
    out.sort(key=lambda r: (r["model"], r["i"]))
    return instructions, out
