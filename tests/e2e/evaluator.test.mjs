// Evaluators score for real: the dev node's off-chain worker scores the outputs with the ONNX
// models (Alice's evaluator key), commits and reveals by itself, also across a restart of the
// node between its commit and its reveal. Then the model leaderboard prints from the chain.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, waitFor } from './lib/node.mjs';
import { QUERIES, TEST_QUERIES, prepare, postAndAnswer, waitForResults, formatResults } from './lib/poq.mjs';

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

test('the evaluator node scores unseen queries and pays for quality: correct first, the fluent wrong answer less (alike without a reference), off-topic and loops next to nothing', async () => {
  const { api } = node;
  const alice = await prepare(api, keyring);
  const { tasks, providers } = await postAndAnswer(api, keyring, TEST_QUERIES);
  const results = await waitForResults(api, tasks);
  console.log(await formatResults(api, TEST_QUERIES, tasks, providers, results));
  const params = await api.query.consensus.currentParams();
  const role = new Map(providers.map((p) => [p.pair.address, p.role]));
  for (const [i, r] of results.entries()) {
    const by = Object.fromEntries(r.outputs.map((o) => [role.get(o.provider.toString()), o]));
    const reward = (k) => by[k].reward.toBigInt();
    const label = `task ${tasks[i]} (${TEST_QUERIES[i].family})`;
    // A QA task without a reference: nothing tells the correct answer from the wrong one that
    // contradicts it (corroboration, docs/scoring-engine.md); both are paid, the others not.
    const checkable = !(TEST_QUERIES[i].family === 'Qa' && TEST_QUERIES[i].reference === null);
    const others = checkable ? ['wrong', 'offTopic', 'degenerate'] : ['offTopic', 'degenerate'];
    for (const k of others) {
      assert.ok(composite(by.good) > composite(by[k]), `${label}: correct outranks ${k}`);
      assert.ok(reward('good') > reward(k), `${label}: the correct answer earns more than the ${k} one`);
    }
    if (checkable) assert.equal(role.get(r.winner.unwrap().toString()), 'good');
    else assert.ok(reward('wrong') > 0n, `${label}: without a reference the contradicting answer is paid too`);
    assert.ok(reward('good') > 0n, `${label}: the correct answer is paid`);
    // The providers' share of the pool; off-topic and loop together at most 5% of it.
    const share = (r.pool.toBigInt() * BigInt(params.inferenceShare.toNumber())) / 1_000_000_000n;
    assert.ok((reward('offTopic') + reward('degenerate')) * 20n <= share,
      `${label}: off-topic + loop earn ${reward('offTopic') + reward('degenerate')} of ${share}`);
    // One evaluator: agreement is not measured.
    assert.ok(r.outputs.every((o) => o.scores[5].isNone), `${label}: no agreement from one report`);
    const [me] = r.evaluators;
    assert.equal(me.who.toString(), alice.address);
    assert.equal(me.conduct.type, 'Revealed', 'the off-chain worker committed and revealed');
    assert.ok(me.reward.toBigInt() > 0n, 'the evaluator is paid');
    const paid = [...r.outputs, ...r.evaluators].reduce((a, x) => a + x.reward.toBigInt(), 0n);
    assert.equal(paid + r.refunded.toBigInt(), r.pool.toBigInt(), 'the pool balances');
  }
  assert.match(node.logs.join('\n'), /task \d+: scored 4 outputs in \d+ ms/);
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

test('the model leaderboard prints from the live chain: the correct answers\' model leads every family', () => {
  const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'leaderboard.sh');
  const png = path.join(base, 'leaderboard.png');
  const rows = path.join(base, 'model-stats.jsonl');
  const url = `ws://127.0.0.1:${node.rpcPort}`;
  const table = execFileSync(script, ['--url', url, '--png', png, '--keep', rows], { encoding: 'utf8' });
  console.log(table);
  assert.match(table, /Open: 4 models/);
  assert.equal(fs.readFileSync(png).subarray(1, 4).toString(), 'PNG');
  const scorer = path.join(process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'poq-target'), 'release', 'poq-scorer');
  const boards = JSON.parse(execFileSync(scorer, ['leaderboard', rows, '--json', '--png', png], { encoding: 'utf8' }));
  assert.deepEqual(boards.map((b) => b.family), ['Qa', 'Summarization', 'Code', 'Open']);
  for (const { family, models } of boards) {
    const by = Object.fromEntries(models.map((m) => [m.model, m]));
    assert.deepEqual(Object.keys(by).sort(), ['degenerate-model@1', 'good-model@1', 'offtopic-model@1', 'wrong-model@1'], family);
    assert.equal(models[0].model, 'good-model@1', `${family}: the correct answers' model leads`);
    assert.equal(by['good-model@1'].rank, 1, family);
    for (const m of models) assert.ok(m.lo <= m.mean && m.mean <= m.hi, `${family} ${m.model}: the interval holds the mean`);
    assert.ok(by['good-model@1'].mean > by['degenerate-model@1'].mean, `${family}: correct above the loop`);
  }
});
