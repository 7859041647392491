#!/usr/bin/env bash
# The audit on chain data: reads a running chain's revealed gold tasks and calibration state over
# RPC, prints each family's on-chain reliability and gate state, then runs `poq-scorer audit` on
# the gold tasks' settled consensus and labels (the same statistics and charts as for a file).
#
#   scripts/audit-chain.sh [--url ws://127.0.0.1:9944] [--plots DIR] [--keep FILE]
#
# Needs the node's build (poq-scorer) and tests/e2e's npm packages (scripts/setup.sh does both).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

url="ws://127.0.0.1:9944"; plots="audit-plots/chain"; keep=""
while [ $# -gt 0 ]; do
	case "$1" in
		--url) url="${2:?--url needs a value}"; shift 2 ;;
		--plots) plots="${2:?--plots needs a value}"; shift 2 ;;
		--keep) keep="${2:?--keep needs a value}"; shift 2 ;;
		-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
		*) echo "audit-chain.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
scorer="$CARGO_TARGET_DIR/release/poq-scorer"
poq_require_chain_clients audit-chain.sh

rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
node tests/e2e/audit-chain.mjs --url "$url" --out "$rows"
[ -z "$keep" ] || cp "$rows" "$keep"
echo
if [ -s "$rows" ]; then
	"$scorer" audit "$rows" --plots "$plots"
else
	echo "no revealed gold task with scores to audit yet"
fi
