#!/usr/bin/env bash
# Spawns or tests a local network with the node built by scripts/setup.sh (zombienet's native
# provider: processes on this machine, loopback only).
#
#   zombienet/run.sh spawn [NET]   start network NET and keep it running (Ctrl-C stops it)
#   zombienet/run.sh test [NET]    run NET.zndsl and exit with its result
#
# NET is `local` (default: Alice and Bob, local.toml), `validators` (Alice, Bob, Charlie and
# a joining Dave, validators.toml; its test plays the council's validator-set changes) or
# `evaluators` (four validators and three evaluator nodes, evaluators.toml; its test is the
# scenario tests/e2e/network/evaluators.mjs: attackers, a load client and faults. Its options:
# POQ_NET_TASKS, default 30, and POQ_NET_EVERY_S, default 12).
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
	local | validators | evaluators) ;;
	*) echo "run.sh: unknown network \`$net\`: expected \`local\`, \`validators\` or \`evaluators\`" >&2; exit 2 ;;
esac
case "${1:-}" in
	spawn) exec npx zombienet --provider native spawn "$net.toml" ;;
	test)
		if [ "$net" = evaluators ]; then
			# The scenario is a client of its own (zombienet's orchestrator spawns the network
			# from evaluators.toml): it needs the e2e clients' packages.
			e2e=../tests/e2e
			if [ ! -d "$e2e/node_modules" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
				(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
			fi
			exec node "$e2e/network/evaluators.mjs"
		fi
		exec npx zombienet --provider native test "$net.zndsl" ;;
	*) sed -n '2,10p' "$0"; exit 2 ;;
esac
