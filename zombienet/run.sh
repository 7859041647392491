#!/usr/bin/env bash
# Spawns or tests a local network with the node built by scripts/setup.sh (zombienet's native
# provider: processes on this machine, loopback only).
#
#   zombienet/run.sh spawn [NET]   start network NET and keep it running (Ctrl-C stops it)
#   zombienet/run.sh test [NET]    run NET.zndsl and exit with its result
#
# NET is `local` (default: Alice and Bob, local.toml) or `validators` (Alice, Bob, Charlie and
# a joining Dave, validators.toml; its test plays the council's validator-set changes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source ../scripts/env.sh
[ -x "$POQ_NODE_BIN" ] || { echo "run.sh: $POQ_NODE_BIN missing: run scripts/setup.sh --no-start" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
export PATH="$(dirname "$POQ_NODE_BIN"):$PATH"
net="${2:-local}"
case "$net" in
	local | validators) ;;
	*) echo "run.sh: unknown network \`$net\`: expected \`local\` or \`validators\`" >&2; exit 2 ;;
esac
case "${1:-}" in
	spawn) exec npx zombienet --provider native spawn "$net.toml" ;;
	test) exec npx zombienet --provider native test "$net.zndsl" ;;
	*) sed -n '2,10p' "$0"; exit 2 ;;
esac
