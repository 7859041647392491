#!/usr/bin/env bash
# Regenerates the weights of the project's pallets with the node's `benchmark pallet` command,
# on this machine. The node is built with the dev feature set (which includes
# `runtime-benchmarks`), so no second build is needed.
#
#   scripts/benchmark.sh                 every project pallet, full precision (steps 50, repeat 20)
#   scripts/benchmark.sh --quick         steps 10, repeat 5 (a smoke run; do not commit its output)
#   scripts/benchmark.sh PALLET ...      only these pallets (e.g. pallet_poq_tasks)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

steps=50; repeat=20; pallets=()
for a in "$@"; do
	case "$a" in
		--quick) steps=10; repeat=5 ;;
		-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
		-*) echo "benchmark.sh: unknown option '$a'" >&2; exit 2 ;;
		*) pallets+=("$a") ;;
	esac
done
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_poq_tasks pallet_poq_evaluators pallet_poq_consensus pallet_poq_validators)

poq_cargo build $POQ_BUILD_ARGS
for p in "${pallets[@]}"; do
	dir="pallets/${p#pallet_poq_}"
	[ -d "$dir" ] || { echo "benchmark.sh: no folder $dir for pallet $p" >&2; exit 2; }
	echo "== $p -> $dir/src/weights.rs"
	"$POQ_NODE_BIN" benchmark pallet \
		--chain dev \
		--pallet "$p" \
		--extrinsic '*' \
		--steps "$steps" \
		--repeat "$repeat" \
		--wasm-execution compiled \
		--template scripts/pallet-weight-template.hbs \
		--output "$dir/src/weights.rs"
done
