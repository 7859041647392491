#!/usr/bin/env bash
# The load benchmark of the dev chain (docs/performance.md): starts a fresh `poq-node --dev`
# (Alice authors and evaluates with the ONNX models) and drives it with the load client
# (tests/e2e/load.mjs) in three phases: idle latency, a burst in one block, a steady rate.
#
#   scripts/load.sh                               idle 20, burst 200, 1000/h for 10 min (~20 min)
#   scripts/load.sh --idle 20 --burst 0 --minutes 0   latency only (~5 min)
#   scripts/load.sh --minutes 60 --json out.json  the full hour; figures also as JSON
#
# Builds the node first if needed (scripts/setup.sh --no-start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh --no-start
cd tests/e2e
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exec node load.mjs "$@"
