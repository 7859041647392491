#!/usr/bin/env bash
# README command 2: build what the tests need and run every test.
#
#   1. Rust: unit, pallet, runtime and property tests of the whole workspace (release
#      profile and the same features as the node, so dependencies are compiled once), with
#      the scoring engine's tests on the real model set (scripts/models.sh, run by setup.sh).
#   2. Networks: zombienet spawns Alice and Bob (zombienet/local.toml) and checks that they
#      peer, author and finalize (zombienet/local.zndsl); then the validator-set network
#      (zombienet/validators.toml): the council adds a validator, one rotates its keys, the
#      council removes one, finality continues (zombienet/validators.zndsl); then the
#      evaluator network (zombienet/evaluators.toml): three evaluator nodes and two attacking
#      clients score a stream of 30 tasks while a validator and an evaluator node are killed and
#      restarted (tests/e2e/network/evaluators.mjs).
#   3. End-to-end: tests/e2e starts the real node binary and talks to it over RPC.
# First, the runtime's spec_version against its code (scripts/spec-version.sh). Before the
# suites, the first-run path of the model set: scripts/models.sh --python into empty
# temporary directories (no wheels, no models, no venv), every file checked against
# offchain-worker/models.lock, so a download step that only works on a second run fails here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=env.sh
source scripts/env.sh

# Prints a section's title with the time the previous one took; the last line sums them up.
START=$SECONDS LAST=$SECONDS TIMES=""
section() {
	if [ -n "${TITLE:-}" ]; then TIMES="$TIMES, $TITLE $((SECONDS - LAST)) s"; fi
	TITLE=$1 LAST=$SECONDS
	if [ -n "$2" ]; then echo "== $2"; fi
}

# The runtime's code changed only with a new spec_version (runtime/spec-version.lock).
scripts/spec-version.sh

scripts/setup.sh --deps-only

section models "first run of the model set (empty download cache, models directory and venv)"
scripts/models-cold-check.sh

section cargo "cargo test (workspace, release, features: $POQ_FEATURES)"
poq_cargo build $POQ_BUILD_ARGS
poq_cargo test $POQ_TEST_ARGS
# The scoring engine's CUDA path, built with its feature: no GPU here, so it must fall back.
poq_cargo test --quiet --release --locked -p poq-scorer --features cuda --test engine cuda_falls_back

# Runs one zombienet test; prints its result line (and the scenario's own lines), or its whole
# log when it fails.
zombienet_test() {
	local zlog
	zlog=$(mktemp)
	if zombienet/run.sh test "$1" >"$zlog" 2>&1; then
		grep -a '\[validator-set\]' "$zlog" || true
		grep -aoE 'Result: [0-9]+/[0-9]+' "$zlog" | tail -1
		rm -f "$zlog"
	else
		cat "$zlog"; rm -f "$zlog"
		echo "zombienet test $1 failed" >&2; exit 1
	fi
}
section local "zombienet: two validators (zombienet/local.zndsl)"
zombienet_test local
section validators "zombienet: the validator set changes (zombienet/validators.zndsl)"
zombienet_test validators
section evaluators "zombienet: the evaluator network under attack and faults (tests/e2e/network/evaluators.mjs)"
elog=$(mktemp)
if zombienet/run.sh test evaluators >"$elog" 2>&1; then
	grep -a -e '^\[evaluators\]' -e '^|' "$elog" || true
	rm -f "$elog"
else
	grep -av -e 'has multiple versions' -e 'fetching metrics from' "$elog"; rm -f "$elog"
	echo "zombienet test evaluators failed" >&2; exit 1
fi

section previous "the previous release's runtime for the upgrade test (scripts/previous-runtime.sh; built once, then cached)"
scripts/previous-runtime.sh >/dev/null

section e2e "end-to-end tests (tests/e2e, real node over RPC)"
cd tests/e2e
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
section end ""
echo "all tests passed in $(((SECONDS - START) / 60)) min (${TIMES#, })"
