// The demo client of README command 1: against a running dev chain (its node evaluates with
// Alice's key and the ONNX models), play a user and four inference nodes, post real queries
// of three families, each answered correctly, fluently but wrongly (declaring half the cost),
// off topic and by a word loop, wait for the committee's settlement and print a table of
// scores, rewards and trust.
//
//   node tests/e2e/demo.mjs [ws://127.0.0.1:9944]

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { QUERIES, prepare, postAndAnswer, waitForResults, formatResults } from './lib/poq.mjs';

const url = process.argv[2] || 'ws://127.0.0.1:9944';
const say = (s) => console.log(`[demo] ${s}`);

async function main() {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
  const keyring = new Keyring({ type: 'sr25519' });
  say(`connected to ${url} (${(await api.rpc.system.chain()).toString()})`);
  await prepare(api, keyring);
  say('Alice is a bonded evaluator; Bob (correct), Eve (fluent but wrong, half the cost), Charlie (off topic) and Dave (word loop) are inference nodes');
  const started = Date.now();
  const { tasks, providers } = await postAndAnswer(api, keyring, QUERIES, { onPhase: (p) => say(p) });
  say('waiting for the evaluator node to score, commit, reveal, and for settlement');
  const results = await waitForResults(api, tasks);
  say(`settled in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  console.log(await formatResults(api, QUERIES, tasks, providers, results));
  say(`each model's mean quality with a 95% interval and its rank: scripts/leaderboard.sh --url ${url}`);
  await api.disconnect();
}

main().catch((e) => {
  console.error(`[demo] Error: ${e.message}`);
  process.exit(1);
});
