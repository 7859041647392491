#!/usr/bin/env bash
# Fuzzes decoding and dispatch of the project's calls (fuzz/fuzz_targets/calls.rs) with
# cargo-fuzz on stable Rust (`--sanitizer none`: libFuzzer's coverage, no sanitizer), starting
# from the seed corpus in fuzz/seeds/calls. Installs cargo-fuzz if missing. The first build
# compiles the runtime with coverage instrumentation into fuzz/target (about 20 minutes on 2
# cores); later runs start at once.
#
#   scripts/fuzz.sh                 fuzz for 10 minutes
#   scripts/fuzz.sh SECONDS         fuzz for that long (0: only replay the seeds and corpus)
#   scripts/fuzz.sh --seeds         regenerate the seed corpus (fuzz/seeds.py)
#   scripts/fuzz.sh --sandbox [S]   fuzz the code sandbox's entry point instead
#                                   (fuzz/sandbox/fuzz_targets/sandbox.rs, seeds in fuzz/sandbox/seeds;
#                                   needs the model set: scripts/models.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=600
target=calls
if [ "${1:-}" = --sandbox ]; then
	target=sandbox
	shift
fi
case "${1:-}" in
	--seeds) python3 fuzz/seeds.py; exit 0 ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	'') ;;
	*[!0-9]*) echo "fuzz.sh: expected a number of seconds, got '$1'" >&2; exit 2 ;;
	*) secs=$1 ;;
esac
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz
mkdir -p fuzz/corpus/calls
export SKIP_WASM_BUILD=1
if [ "$secs" = 0 ]; then
	args=(-runs=0)
else
	args=(-max_total_time="$secs")
fi
if [ "$target" = sandbox ]; then
	source scripts/env.sh
	unset CARGO_TARGET_DIR
	mkdir -p fuzz/sandbox/corpus
	cd fuzz/sandbox
	cargo fuzz run --fuzz-dir . --sanitizer none --release sandbox corpus seeds -- -max_len=4096 "${args[@]}"
	exit
fi
cd fuzz
cargo fuzz run --sanitizer none --release calls corpus/calls seeds/calls -- "${args[@]}"
