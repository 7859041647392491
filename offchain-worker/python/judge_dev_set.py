"""The judge's development set for `poq-scorer audit` (`scripts/audit-dev.sh --alpaca-eval DIR`):
the answers of the community models the shipped judge never trained on (quarter
`judge_data.SHIPPED_FOLD`) to instructions 300-399, which no judge trained on, as Open tasks
without a reference (all answers to one instruction form one task).

    judge_dev_set.py ALPACA_EVAL_CHECKOUT OUT_DIR     (writes tasks.jsonl and labels.jsonl)
    judge_dev_set.py --merge OUT_DIR                  (after scoring: audit.jsonl)

The audit rows: `alpaca-models`, each answer with its model and the model's length-controlled
win rate (the measure: Spearman of the models' mean scores with the leaderboard); and
`alpaca-pairs`, every two annotated answers to one instruction that GPT-4 Turbo rates
differently, the one it prefers marked better (the measure: pairwise agreement with the judge).
"""

import json
import os
import sys
from collections import defaultdict

import judge_data


def build(root, out):
    instructions, items = judge_data.items(root)
    rows = [it for it in items if it["i"] >= judge_data.DEV_FROM and it["model"] != judge_data.PROBE and judge_data.model_fold(it["model"]) == judge_data.SHIPPED_FOLD]
    rows.sort(key=lambda it: (it["i"], it["model"]))
    with open(os.path.join(out, "tasks.jsonl"), "w") as t, open(os.path.join(out, "labels.jsonl"), "w") as l:
        for it in rows:
            t.write(json.dumps({"family": "Open", "task": f"alpaca-{it['i']}", "query": instructions[it["i"]], "output": it["output"]}) + "\n")
            l.write(json.dumps({"model": it["model"], "label": it["lc"], "i": it["i"], "pref": it["pref"]}) + "\n")


def merge(out):
    rows = []
    with open(os.path.join(out, "scores.jsonl")) as s, open(os.path.join(out, "labels.jsonl")) as l:
        for score, label in zip(s, l):
            score, label = json.loads(score), json.loads(label)
            if "error" in score:
                raise SystemExit(f"judge_dev_set: line {score.get('line')}: {score['error']}")
            rows.append((score, label))
    dims = lambda s: {k: s[k] for k in ("structure", "semantic", "alignment")}
    by_i = defaultdict(list)
    with open(os.path.join(out, "audit.jsonl"), "w") as f:
        for score, label in rows:
            f.write(json.dumps({"family": "Open", "set": "alpaca-models", **dims(score), "model": label["model"], "label": label["label"]}) + "\n")
            if label["pref"] is not None:
                by_i[label["i"]].append((label["pref"], score))
        n = 0
        for i, lst in sorted(by_i.items()):
            for a in range(len(lst)):
                for b in range(a + 1, len(lst)):
                    if lst[a][0] == lst[b][0]:
                        continue
                    n += 1
                    for pref, score in (lst[a], lst[b]):
                        better = pref == max(lst[a][0], lst[b][0])
                        f.write(json.dumps({"family": "Open", "set": "alpaca-pairs", **dims(score), "pair": f"alpaca-{n}", "better": better}) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--merge":
        merge(sys.argv[2])
    else:
        build(sys.argv[1], sys.argv[2])
