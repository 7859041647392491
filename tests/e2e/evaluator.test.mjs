// Evaluators score for real: the dev node's off-chain worker scores the outputs with the ONNX
// models (Alice's evaluator key), commits and reveals by itself, also across a restart of the
// node between its commit and its reveal.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, waitFor } from './lib/node.mjs';
import { QUERIES, prepare, postAndAnswer, waitForResults, formatResults } from './lib/poq.mjs';

let node;
let keyring;
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'poq-evaluator-'));

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  // A base path (not --tmp): the chain and the off-chain storage survive the restart below.
  node = await startNode(['--dev', '--base-path', base]);
});

after(async () => {
  if (node) await node.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

const composite = (o) => o.composite.toNumber();

test('the evaluator node scores real queries: good > off-topic > degenerate, rewards paid, pool balanced', async () => {
  const { api } = node;
  const alice = await prepare(api, keyring);
  const { tasks, providers } = await postAndAnswer(api, keyring, QUERIES);
  const results = await waitForResults(api, tasks);
  console.log(await formatResults(api, QUERIES, tasks, providers, results));
  const role = new Map(providers.map((p) => [p.pair.address, p.role]));
  for (const [i, r] of results.entries()) {
    const by = Object.fromEntries(r.outputs.map((o) => [role.get(o.provider.toString()), o]));
    assert.ok(composite(by.good) > composite(by.offTopic), `task ${tasks[i]}: good outranks off-topic`);
    assert.ok(composite(by.offTopic) > composite(by.degenerate), `task ${tasks[i]}: off-topic outranks degenerate`);
    assert.equal(role.get(r.winner.unwrap().toString()), 'good');
    assert.ok(by.good.reward.toBigInt() > 0n, 'the good answer is paid');
    const [me] = r.evaluators;
    assert.equal(me.who.toString(), alice.address);
    assert.equal(me.conduct.type, 'Revealed', 'the off-chain worker committed and revealed');
    assert.ok(me.reward.toBigInt() > 0n, 'the evaluator is paid');
    const paid = [...r.outputs, ...r.evaluators].reduce((a, x) => a + x.reward.toBigInt(), 0n);
    assert.equal(paid + r.refunded.toBigInt(), r.pool.toBigInt(), 'the pool balances');
  }
  assert.match(node.logs.join('\n'), /task \d+: scored 3 outputs in \d+ ms/);
});

test('an evaluator node restarted between its commit and its reveal still reveals and is not slashed', async () => {
  let { api } = node;
  const alice = keyring.addFromUri('//Alice');
  const { tasks } = await postAndAnswer(api, keyring, QUERIES.slice(0, 1));
  const [task] = tasks;
  await waitFor('the off-chain commit', async () =>
    (await api.query.consensus.commits(task, alice.address)).isSome, { timeoutMs: 120_000 });
  assert.ok((await api.query.consensus.reveals(task, alice.address)).isNone);
  await node.stop();
  node = await startNode(['--dev', '--base-path', base]);
  ({ api } = node);
  const [result] = await waitForResults(api, [task]);
  const [me] = result.evaluators;
  assert.equal(me.conduct.type, 'Revealed');
  assert.equal(me.slashed.toBigInt(), 0n);
});
