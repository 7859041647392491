#!/usr/bin/env bash
# The demo of README command 1, played with the network's own software against a running chain
# whose node evaluates (`poq-node --dev`: Alice's off-chain worker scores with the ONNX models):
# - a small OpenAI-compatible server with canned answers (tests/e2e/openai-stub.mjs) stands for
#   the operators' LLM servers;
# - four `poq-provider` daemons answer from it: Bob correctly (declaring 2 POQ per output), Eve
#   fluently but wrongly (1 POQ), Charlie off topic, Dave by a word loop;
# - `poq bond` makes Alice an evaluator, `poq submit` posts five queries from Ferdie (QA with a
#   reference, summarization, code with tests, an open question, QA without a reference),
#   `poq result` prints each task's table once the committee has scored it.
#
#   scripts/demo.sh [--url ws://127.0.0.1:9944] [--stay]
#
# --stay: after the tables, keep the providers answering until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=env.sh
source scripts/env.sh

url="ws://127.0.0.1:9944"; stay=0
while [ $# -gt 0 ]; do
	case "$1" in
		--url) url="${2:?--url needs a value}"; shift 2 ;;
		--stay) stay=1; shift ;;
		-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
		*) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
bin="$CARGO_TARGET_DIR/release"
poq="$bin/poq"; provider="$bin/poq-provider"
for b in "$poq" "$provider"; do
	[ -x "$b" ] || { echo "demo.sh: $b is missing: run scripts/setup.sh --no-start first" >&2; exit 1; }
done
[ -d tests/e2e/node_modules ] || { echo "demo.sh: tests/e2e/node_modules is missing: run scripts/setup.sh --no-start first" >&2; exit 1; }

say() { printf '[demo] %s\n' "$*"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/poq-demo.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The operators' LLM server (canned answers) ------------------------------------------------
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node tests/e2e/openai-stub.mjs --port "$port" >"$work/stub.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "canned" "$work/stub.log" && break; sleep 0.1; done
grep -q "canned" "$work/stub.log" || { cat "$work/stub.log" >&2; echo "demo.sh: the canned LLM server did not start" >&2; exit 1; }

# --- The evaluator and the inference nodes ------------------------------------------------------
"$poq" --url "$url" bond --suri //Alice --amount 1000 >/dev/null
say "Alice is a bonded, active evaluator: her node's off-chain worker scores the answers"
start_provider() { # name uri model cost kind
	"$provider" --url "$url" --suri "$2" --model "$3" --cost "$4" --endpoint "http://127.0.0.1:$port/v1" \
		--endpoint-model "$5" --state-dir "$work/$1" --concurrency 4 >"$work/$1.log" 2>&1 &
	pids+=($!)
}
start_provider bob //Bob good-model@1 2 good
start_provider eve //Eve wrong-model@1 1 wrong
start_provider charlie //Charlie offtopic-model@1 1 offTopic
start_provider dave //Dave degenerate-model@1 1 degenerate
for name in bob eve charlie dave; do
	for _ in $(seq 120); do grep -q "serving" "$work/$name.log" && break; sleep 0.5; done
	grep -q "serving" "$work/$name.log" || { cat "$work/$name.log" >&2; echo "demo.sh: poq-provider $name did not start" >&2; exit 1; }
done
say "poq-provider daemons answer from the canned server: Bob (correct, 2 POQ), Eve (fluent but wrong, 1 POQ), Charlie (off topic), Dave (word loop)"

# --- The user: five queries through `poq` --------------------------------------------------------
node --input-type=module -e "
import { QUERIES } from './tests/e2e/lib/poq.mjs';
import fs from 'node:fs';
QUERIES.forEach((q, i) => {
  fs.writeFileSync('$work/q' + i, q.query);
  if (q.reference) fs.writeFileSync('$work/r' + i, q.reference);
  fs.writeFileSync('$work/f' + i, q.family);
});
process.exit(0);
"
started=$SECONDS
tasks=()
n=$(find "$work" -maxdepth 1 -name 'q*' | wc -l)
for ((i = 0; i < n; i++)); do
	ref=(); [ -f "$work/r$i" ] && ref=(--reference-file "$work/r$i")
	task=$("$poq" --url "$url" --json submit --suri //Ferdie --family "$(cat "$work/f$i")" \
		--query-file "$work/q$i" "${ref[@]}" --bounty 30 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).task))')
	tasks+=("$task")
done
say "poq submit: Ferdie posted tasks ${tasks[*]}; the providers answer, the committee scores"
for task in "${tasks[@]}"; do
	"$poq" --url "$url" result "$task" --wait 300 >"$work/result-$task"
done
say "settled in $((SECONDS - started)) s"
echo
for task in "${tasks[@]}"; do cat "$work/result-$task"; echo; done
say "read a task again with: $poq result TASK; each model's standing: $poq leaderboard"
if [ "$stay" = 1 ]; then
	say "the chain and the four poq-provider daemons keep running (RPC on $url; post with $poq submit ...); Ctrl-C stops them"
	wait
fi
