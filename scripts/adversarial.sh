#!/usr/bin/env bash
# Prints the adversarial report of quality consensus: many tasks run through the consensus
# pallet (mock runtime with the real tasks and evaluators pallets) with honest evaluators and
# attackers of each kind at 10-40%, for each aggregation rule, in three settings; then the
# market's attacks (trust farming, slot squatting, a backlog flood) with the attacker's cost and
# gain. About a minute on a warm build. The table goes to stdout (markdown); docs/adversarial-report.md holds a copy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
SKIP_WASM_BUILD=1 poq_cargo test --release --quiet -p pallet-poq-consensus --lib _report \
	-- --ignored --nocapture --test-threads 1 2>&1 |
	grep -E '^(\||###|$)' | cat -s
