#!/usr/bin/env bash
# Reproduces the judge of the default model set (offchain-worker/data/judge.onnx and judge.json):
#   1. the models venv and the default model set (scripts/models.sh --python): the judge reads the
#      set's embeddings;
#   2. the data: a checkout of AlpacaEval (https://github.com/tatsu-lab/alpaca_eval) at the commit
#      of offchain-worker/python/judge-data.lock; every file read is checked against its sha256;
#   3. offchain-worker/python/train_judge.py: features (cached), a small perceptron trained with
#      numpy (checkpoints every 500 steps in $POQ_MODELS_CACHE/judge-work: a stopped run resumes),
#      the int8 ONNX export and the development figures.
#
#   git clone https://github.com/tatsu-lab/alpaca_eval DIR && git -C DIR checkout <lock's commit>
#   scripts/train-judge.sh --alpaca-eval DIR [--steps N] [--threads T] [--out DIR]
#
# About 20 minutes on the 2-core build machine (CPU; most of it embedding 57,000 answers); no
# GPU and no PyTorch. Not part of the README commands: the trained files are committed and pinned
# in offchain-worker/models.lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

out=offchain-worker/data
data=""
pass=()
while [ $# -gt 0 ]; do
	case "$1" in
		--alpaca-eval) data="$2"; shift 2 ;;
		--out) out="$2"; shift 2 ;;
		--steps|--threads) pass+=("$1" "$2"); shift 2 ;;
		-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
		*) echo "train-judge.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$data" ] || { echo "train-judge.sh: --alpaca-eval DIR is required (a checkout of github.com/tatsu-lab/alpaca_eval)" >&2; exit 2; }
[ -d "$data/results" ] || { echo "train-judge.sh: $data has no results/ folder: not an AlpacaEval checkout" >&2; exit 2; }
data=$(cd "$data" && pwd)

scripts/models.sh --python
work="$POQ_MODELS_CACHE/judge-work"
mkdir -p "$work" "$out"
out=$(cd "$out" && pwd)
cd offchain-worker/python
exec "$POQ_MODELS_CACHE/venv/bin/python" -u train_judge.py "$data" "$POQ_MODELS_DIR" "$work" "$out" "${pass[@]}"
