// The `poq-provider` throughput benchmark (docs/performance.md): one daemon, backed by the
// canned OpenAI-compatible server, serves a steady stream of queries on a fresh dev chain whose
// node evaluates. Prints how many it committed, revealed and had settled, the windows it missed,
// and the endpoint's and the chain's timings.
//
//   node tests/e2e/provider-bench.mjs [--per-minute 50] [--minutes 1] [--delay-ms 200]
//
// --delay-ms: how long the canned server takes per answer (a stand-in for generation time).

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, waitFor } from './lib/node.mjs';
import { startStub } from './lib/openai-stub.mjs';
import { ProviderProcess } from './lib/provider.mjs';
import { POQ, TEST_QUERIES } from './lib/poq.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) { console.error(`provider-bench: --${name} must be a positive number`); process.exit(2); }
  return v;
};
const perMinute = arg('per-minute', 50);
const minutes = arg('minutes', 1);
const delayMs = arg('delay-ms', 200);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await cryptoWaitReady();
const node = await startNode(['--dev']);
const stub = await startStub({ delayMs });
const url = `ws://127.0.0.1:${node.rpcPort}`;
const provider = new ProviderProcess(['--url', url, '--suri', '//Bob', '--model', 'good-model@1', '--cost', '1',
  '--endpoint', stub.url, '--endpoint-model', 'good', '--concurrency', '16']);
try {
  const { api } = node;
  const keyring = new Keyring({ type: 'sr25519' });
  const user = keyring.addFromUri('//Ferdie');
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob').address;
  // Alice evaluates (her node's off-chain worker).
  for (const tx of [api.tx.evaluators.bond(1_000n * POQ), api.tx.evaluators.activate()]) {
    await new Promise((resolve, reject) => tx.signAndSend(alice, ({ status, dispatchError }) => {
      if (dispatchError) reject(new Error(dispatchError.toString()));
      else if (status.isInBlock) resolve();
    }).catch(reject));
  }
  await provider.start();

  const total = Math.round(perMinute * minutes);
  const every = 60_000 / perMinute;
  const tasks = [];
  let nonce = (await api.rpc.system.accountNextIndex(user.address)).toNumber();
  const started = Date.now();
  for (let k = 0; k < total; k++) {
    await sleep(Math.max(0, started + k * every - Date.now()));
    const q = TEST_QUERIES[k % TEST_QUERIES.length];
    const tx = api.tx.tasks.submitQuery(q.family, `${q.query} [${k}]`, q.reference, 5n * POQ, { maxOutputs: 1, committeeSize: null });
    tasks.push(new Promise((resolve) => {
      tx.signAndSend(user, { nonce: nonce++ }, ({ status, events, dispatchError }) => {
        if (dispatchError) return resolve(null);
        if (status.isInBlock) {
          const ev = events.find(({ event }) => api.events.tasks.QuerySubmitted.is(event));
          resolve(ev ? ev.event.data.task.toNumber() : null);
        }
      }).catch(() => resolve(null));
    }));
  }
  const posted = (await Promise.all(tasks)).filter((t) => t !== null);
  const postSeconds = (Date.now() - started) / 1000;
  // Every task ends: settled (a result) or expired (no record left in the scoring window).
  const results = new Map();
  await waitFor('every task to end', async () => {
    for (const t of posted) {
      if (results.has(t)) continue;
      const r = await api.call.consensusApi.taskResult(t);
      if (r.isSome) results.set(t, r.unwrap());
      else {
        const info = await api.query.tasks.tasks(t);
        if (info.isNone || info.unwrap().ended.isSome) results.set(t, null);
      }
    }
    return results.size === posted.length;
  }, { timeoutMs: 600_000, everyMs: 2_000 });
  await sleep(8_000); // the daemon reads the last settlements
  const m = await provider.metrics();
  const scored = [...results.values()].filter((r) => r && r.outputs.some((o) => o.provider.toString() === bob));
  const skipped = Object.entries(m).filter(([k]) => k.startsWith('poq_provider_skipped_total')).map(([k, v]) => `${k.match(/reason="([^"]+)"/)[1]}=${v}`);
  const lat = (q) => {
    const count = m.poq_provider_endpoint_latency_seconds_count;
    const buckets = Object.entries(m).filter(([k]) => k.startsWith('poq_provider_endpoint_latency_seconds_bucket'))
      .map(([k, v]) => [k.includes('+Inf') ? Infinity : Number(k.match(/le="([^"]+)"/)[1]), v]).sort((a, b) => a[0] - b[0]);
    return buckets.find(([, v]) => v >= q * count)?.[0];
  };
  const figures = {
    perMinute, minutes, endpointDelayMs: delayMs,
    posted: posted.length, postSeconds: Math.round(postSeconds),
    answered: m.poq_provider_answered_total, committed: m.poq_provider_committed_total,
    revealed: m.poq_provider_revealed_total, settledWithItsOutput: scored.length,
    missedWindows: posted.length - m.poq_provider_revealed_total,
    skipped: skipped.join(', ') || 'none',
    endpointLatencyP50UpperBoundS: lat(0.5), endpointLatencyP95UpperBoundS: lat(0.95),
    rewardsPoq: (m.poq_provider_rewards_planck_total / 1e12).toFixed(3),
  };
  console.log(JSON.stringify(figures, null, 1));
  const notes = provider.logs.filter((l) => /WARN|skipped|reveal .*retrying|not admitted/.test(l));
  if (notes.length) console.log(`the daemon's warnings and skips (${notes.length}):\n${notes.slice(0, 20).join('\n')}`);
} finally {
  await provider.stop();
  await stub.close();
  await node.stop();
}
