#!/usr/bin/env bash
# Spawns or tests the local network of zombienet/local.toml with the node built by
# scripts/setup.sh (zombienet's native provider: processes on this machine, loopback only).
#
#   zombienet/run.sh spawn    start Alice and Bob and keep them running (Ctrl-C stops them)
#   zombienet/run.sh test     run local.zndsl and exit with its result
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source ../scripts/env.sh
[ -x "$POQ_NODE_BIN" ] || { echo "run.sh: $POQ_NODE_BIN missing: run scripts/setup.sh --no-start" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
export PATH="$(dirname "$POQ_NODE_BIN"):$PATH"
case "${1:-}" in
	spawn) exec npx zombienet --provider native spawn local.toml ;;
	test) exec npx zombienet --provider native test local.zndsl ;;
	*) sed -n '2,7p' "$0"; exit 2 ;;
esac
