// The load benchmark (scripts/load.sh): starts a fresh dev chain (Alice authors and evaluates
// with the ONNX models) and drives it with the load client in three phases on the same chain:
//
//   idle    N queries, one every two blocks, each answered by 8 prompt providers: the latency
//           of a chain that is not busy (p50 target: 7 blocks);
//   burst   N queries posted in one block, each answered by 3 of 24 providers;
//   steady  queries at R per hour for M minutes, 8 providers each (p95 target: 2x idle p50).
//
// Each phase prints queries accepted and refused (by error), settled, settled per hour, p50 and
// p95 latency from submission to settlement (blocks and seconds), block weight used, and the
// evaluator's scoring time per task (from the node's log). `--json FILE` writes them all.
//
//   node tests/e2e/load.mjs [--idle 20] [--burst 200] [--rate 1000 --minutes 10] [--json out.json]
//   (a phase with 0 is skipped)

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { writeFileSync } from 'node:fs';
import { startNode } from './lib/node.mjs';
import { LoadClient, quantile } from './lib/load.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  return v;
};
const known = new Set(['--idle', '--burst', '--rate', '--minutes', '--json']);
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i])) {
    console.error(`load.mjs: unknown option '${args[i]}' (known: ${[...known].join(' ')})`);
    process.exit(2);
  }
}
const num = (name, dflt) => {
  const v = Number(opt(name, dflt));
  if (!Number.isFinite(v) || v < 0) {
    console.error(`load.mjs: --${name} wants a number >= 0`);
    process.exit(2);
  }
  return v;
};
const IDLE = num('idle', 20);
const BURST = num('burst', 200);
const RATE = num('rate', 1000);
const MINUTES = num('minutes', 10);
const JSON_OUT = opt('json', null);

const say = (s) => console.log(`[load] ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Scoring times (ms per task) from the node's log lines "task N: scored K outputs in X ms". */
function scoringTimes(node) {
  const times = new Map();
  const scan = (d) => {
    for (const m of d.toString().matchAll(/task (\d+): scored (\d+) outputs in (\d+) ms/g)) {
      times.set(Number(m[1]), { outputs: Number(m[2]), ms: Number(m[3]) });
    }
  };
  node.child.stdout.on('data', scan);
  node.child.stderr.on('data', scan);
  return times;
}

function print(name, r, scored, tasks, seconds) {
  const ms = tasks.map((t) => scored.get(t)).filter(Boolean).map((x) => x.ms);
  const perOutput = tasks.map((t) => scored.get(t)).filter(Boolean).map((x) => x.ms / x.outputs);
  const fig = {
    ...r,
    settledPerHour: seconds > 0 ? Math.round((r.settled * 3600) / seconds) : null,
    scoringMsPerTask: { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), perOutputP50: quantile(perOutput, 0.5) },
  };
  const refused = Object.entries(r.refused).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  say(`${name}: accepted ${r.accepted}, refused: ${refused}; settled ${r.settled} (scored by the evaluator ${r.scored}), expired ${r.expired}` +
    (fig.settledPerHour !== null ? ` (${fig.settledPerHour} per hour)` : ''));
  say(`${name}: latency p50 ${r.latencyBlocks.p50} blocks / ${r.latencySeconds.p50?.toFixed(1)} s, ` +
    `p95 ${r.latencyBlocks.p95} blocks / ${r.latencySeconds.p95?.toFixed(1)} s, max ${r.latencyBlocks.max} blocks`);
  say(`${name}: block weight max ${r.blockWeightPct.totalMax}% (normal ${r.blockWeightPct.normalMax}%, hooks ` +
    `${r.blockWeightPct.hooksMax}%), mean ${r.blockWeightPct.totalMean?.toFixed(2)}% over ${r.blocks} blocks; ` +
    `scoring p50 ${fig.scoringMsPerTask.p50} ms per task (${fig.scoringMsPerTask.perOutputP50?.toFixed(0)} ms per output)`);
  return fig;
}

async function main() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  say('starting a dev chain (poq-node --dev)');
  const node = await startNode(['--dev']);
  const scored = scoringTimes(node);
  const out = {};
  try {
    const load = new LoadClient(node.api, keyring, { providers: 24 });
    await load.setup();
    await load.start();
    say('set up: Alice evaluates, 24 inference nodes registered');

    if (IDLE > 0) {
      say(`idle: ${IDLE} queries, one every two blocks, 8 providers each`);
      const t0 = Date.now();
      const posted = [];
      for (let i = 0; i < IDLE; i++) {
        posted.push(load.post(1, { perTask: 8 }));
        await sleep(12_000);
      }
      const tasks = (await Promise.all(posted)).flat();
      await load.drain();
      out.idle = print('idle', load.report(tasks), scored, tasks, (Date.now() - t0) / 1000);
    }
    if (BURST > 0) {
      say(`burst: ${BURST} queries in one block, 3 of 24 providers each`);
      // Right after a block, so that the whole burst reaches the next one.
      const head = (await node.api.rpc.chain.getHeader()).number.toNumber();
      while ((await node.api.rpc.chain.getHeader()).number.toNumber() === head) await sleep(100);
      const t0 = Date.now();
      const tasks = await load.post(BURST, { perTask: 3 });
      const blocks = new Set(tasks.map((t) => load.tasks.get(t).includedAt));
      say(`burst: included in ${blocks.size} block(s): ${[...blocks].join(', ')}`);
      await load.drain();
      out.burst = { ...print('burst', load.report(tasks), scored, tasks, (Date.now() - t0) / 1000), inclusionBlocks: [...blocks] };
    }
    if (RATE > 0 && MINUTES > 0) {
      say(`steady: ${RATE} queries per hour for ${MINUTES} min, 8 providers each`);
      const tasks = await load.steady(RATE, MINUTES * 60, { perTask: 8 });
      await load.drain();
      out.steady = print('steady', load.report(tasks), scored, tasks, MINUTES * 60);
    }
    load.stop();
  } finally {
    await node.stop();
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(out, null, 2));
}

main().then(() => process.exit(0), (e) => {
  console.error(`[load] Error: ${e.message}`);
  process.exit(1);
});
