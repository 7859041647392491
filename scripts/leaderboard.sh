#!/usr/bin/env bash
# The model leaderboard of a running chain: reads the per (model, family) statistics of settled
# quality over RPC (runtime API TasksApi::model_stats) and prints, per family, each model's mean
# quality, its 95% interval and its Arena-style rank (models whose intervals overlap share a
# rank), and draws the chart.
#
#   scripts/leaderboard.sh [--url ws://127.0.0.1:9944] [--png leaderboard.png] [--family F]
#                          [--min-outputs N] [--json] [--keep FILE]
#
# Needs the node's build (poq-scorer) and tests/e2e's npm packages (scripts/setup.sh does both).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

url="ws://127.0.0.1:9944"; keep=""; png="leaderboard.png"; extra=()
while [ $# -gt 0 ]; do
	case "$1" in
		--url) url="${2:?--url needs a value}"; shift 2 ;;
		--png) png="${2:?--png needs a value}"; shift 2 ;;
		--family|--min-outputs) extra+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
		--json) extra+=(--json); shift ;;
		--keep) keep="${2:?--keep needs a value}"; shift 2 ;;
		-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
		*) echo "leaderboard.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
scorer="$CARGO_TARGET_DIR/release/poq-scorer"
poq_require_chain_clients leaderboard.sh

rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
node tests/e2e/model-stats.mjs --url "$url" --out "$rows" >&2
[ -z "$keep" ] || cp "$rows" "$keep"
"$scorer" leaderboard "$rows" --png "$png" ${extra[@]+"${extra[@]}"}
