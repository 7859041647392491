#!/usr/bin/env bash
# The previous release's runtime: the wasm that the upgrade test (tests/e2e/upgrade.test.mjs)
# starts a chain on before the council upgrades it to this release's.
#
#   scripts/previous-runtime.sh     prints the path of the wasm, building it first when it is
#                                   not in the cache (~/.cache/poq-runtimes, or
#                                   $POQ_RUNTIMES_DIR)
#
# The release is a commit of this repository (PREVIOUS_COMMIT, with its spec_version): its
# runtime is built from `git archive` of that commit, with its own Cargo.lock, in a target
# directory of its own ($CARGO_TARGET_DIR-previous), so that the node's build never sees it. A
# first build takes about 20 minutes on 2 cores (`cargo check`: the wasm is built, the native
# crate only checked); then the cache answers. Bump both lines with every release.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=env.sh
source scripts/env.sh

PREVIOUS_COMMIT=f6a5dc36928737d28267d22b03a98c604b29b120
PREVIOUS_SPEC=105

cache=${POQ_RUNTIMES_DIR:-$HOME/.cache/poq-runtimes}
out="$cache/poq-runtime-$PREVIOUS_SPEC-${PREVIOUS_COMMIT:0:12}.compact.compressed.wasm"
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
if ! git cat-file -e "$PREVIOUS_COMMIT^{commit}" 2>/dev/null; then
	echo "previous-runtime.sh: commit $PREVIOUS_COMMIT is not in this clone (a shallow clone?): fetch the history" >&2
	exit 1
fi
mkdir -p "$cache"
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git archive "$PREVIOUS_COMMIT" | tar -x -C "$src"
target="$CARGO_TARGET_DIR-previous"
echo "previous-runtime.sh: building the runtime of spec_version $PREVIOUS_SPEC (${PREVIOUS_COMMIT:0:12}) in $target; a first build takes about 20 minutes" >&2
(cd "$src" && CARGO_TARGET_DIR="$target" cargo check --quiet --release --locked -p poq-runtime) >&2
wasm="$target/release/wbuild/poq-runtime/poq_runtime.compact.compressed.wasm"
if [ ! -s "$wasm" ]; then
	echo "previous-runtime.sh: the build left no $wasm" >&2
	exit 1
fi
cp "$wasm" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
