#!/usr/bin/env bash
# Development figures of the scoring engine: builds labelled sets from the permitted data's
# held-back items (offchain-worker/python/dev_sets.py), scores them with poq-scorer and the
# default model set, and audits them (poq-scorer audit): the tables on stdout, the charts in DIR.
#
#   scripts/audit-dev.sh [--per-set N] [--plots DIR] [--keep FILE]   (defaults: 200, docs/img)
#   (--keep: also save the scored, labelled lines, to audit other weights with --weights)
#
# About 15 minutes on the 2-core build machine with the default size. Needs a built poq-scorer
# (scripts/setup.sh --no-start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

per=200
plots=docs/img
keep=""
while [ $# -gt 0 ]; do
	case "$1" in
		--per-set) per="$2"; shift 2 ;;
		--plots) plots="$2"; shift 2 ;;
		--keep) keep="$2"; shift 2 ;;
		-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
		*) echo "audit-dev.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

scorer="$CARGO_TARGET_DIR/release/poq-scorer"
[ -x "$scorer" ] || { echo "audit-dev.sh: $scorer not built (scripts/setup.sh --no-start)" >&2; exit 1; }
scripts/train-cross-encoder.sh --fetch-only
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
[ -z "$keep" ] || cp "$work/audit.jsonl" "$keep"
"$scorer" audit "$work/audit.jsonl" --plots "$plots"
