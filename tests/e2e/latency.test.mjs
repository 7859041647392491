// Settlement in seconds, at volume, on a real dev chain whose node evaluates with the ONNX
// models: phases close as soon as everyone they wait for has acted, and a burst is served
// whole (the load client of scripts/load.sh, smaller).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode } from './lib/node.mjs';
import { LoadClient } from './lib/load.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let node;
let load;

before(async () => {
  await cryptoWaitReady();
  node = await startNode(['--dev']);
  load = new LoadClient(node.api, new Keyring({ type: 'sr25519' }), { providers: 12 });
  await load.setup();
  await load.start();
});

after(async () => {
  if (load) load.stop();
  if (node) await node.stop();
});

test('with every participant prompt, a query settles within 7 blocks of its inclusion', async () => {
  const tasks = [];
  for (let i = 0; i < 3; i++) {
    tasks.push(...(await load.post(1, { perTask: 4 })));
    await sleep(6_000);
  }
  await load.drain(180_000);
  const r = load.report(tasks);
  console.log(JSON.stringify(r.latencyBlocks), JSON.stringify(r.latencySeconds));
  assert.equal(r.settled, 3, `settled ${r.settled} of 3 (refused: ${JSON.stringify(r.refused)})`);
  assert.equal(r.scored, 3, 'scored by the evaluator node');
  // The fixed windows alone (answer 4, reveal 3, score commit 4, score reveal 4) take 15.
  assert.ok(r.latencyBlocks.max <= 7, `latency ${r.latencyBlocks.max} blocks`);
});

test('a burst of 40 queries in one block, 3 outputs each, is accepted whole and every one settles', async () => {
  const head = (await node.api.rpc.chain.getHeader()).number.toNumber();
  while ((await node.api.rpc.chain.getHeader()).number.toNumber() === head) await sleep(100);
  const tasks = await load.post(40, { perTask: 3 });
  await load.drain(300_000);
  const r = load.report(tasks);
  console.log(JSON.stringify({ ...r, refused: r.refused }));
  assert.equal(r.accepted, 40, `accepted ${r.accepted} (refused: ${JSON.stringify(r.refused)})`);
  assert.equal(r.settled, 40, `settled ${r.settled}, expired ${r.expired}`);
  assert.equal(r.scored, 40, 'every one scored by the evaluator, none closed unscored');
  assert.deepEqual(r.refused, {}, 'no call was refused');
  const results = await Promise.all(tasks.map((t) => node.api.call.consensusApi.taskResult(t)));
  for (const res of results) {
    const x = res.unwrap();
    assert.equal(x.evaluators[0].conduct.type, 'Revealed', 'scored by the evaluator node');
    const paid = [...x.outputs, ...x.evaluators].reduce((a, o) => a + o.reward.toBigInt(), 0n);
    assert.equal(paid + x.refunded.toBigInt(), x.pool.toBigInt(), 'the pool balances');
  }
});
