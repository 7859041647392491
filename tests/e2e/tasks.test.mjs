// Tasks and evaluator stakes over plain extrinsics on a real dev chain: a user posts a query,
// a provider commits and reveals an output, evaluators bond, unbond and chill.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, blake2AsHex } from '@polkadot/util-crypto';
import { startNode, waitFor, sendAndWait } from './lib/node.mjs';
import { outputCommitment } from './lib/commitments.mjs';
import { dispatchErrorName } from './lib/governance.mjs';

const POQ = 1_000_000_000_000n;
let node;
let keyring;

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  node = await startNode(['--dev']);
});

after(async () => {
  if (node) await node.stop();
});

const commitment = outputCommitment;

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

test('a query goes through answer and reveal; a bad reveal is refused', async () => {
  const { api } = node;
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');

  await sendAndWait(api, api.tx.tasks.registerProvider('e2e-model@1', 2n * POQ), bob);
  const provider = (await api.query.tasks.providers(bob.address)).unwrap();
  assert.equal(provider.modelId.toUtf8(), 'e2e-model@1');

  const { events } = await sendAndWait(api, api.tx.tasks.submitQuery(
    'Qa', 'What is the capital of France?', 'Paris', 10n * POQ,
    { maxOutputs: null, committeeSize: null }), alice);
  const submitted = events.find(({ event }) => api.events.tasks.QuerySubmitted.is(event));
  assert.ok(submitted, 'QuerySubmitted expected');
  const task = submitted.event.data.task.toNumber();
  const info = (await api.query.tasks.tasks(task)).unwrap();
  assert.equal(info.bounty.toBigInt(), 10n * POQ);

  const salt = new Uint8Array(32).fill(7);
  const output = 'The capital of France is Paris.';
  await sendAndWait(api, api.tx.tasks.commitOutput(task, commitment(bob, task, output, salt)), bob);

  // Wait for the reveal phase, then reveal: first with a wrong salt (refused), then right.
  await waitFor('the reveal phase', async () => (await bestNumber(api)) >= info.answerEnds.toNumber() - 1,
    { timeoutMs: 120_000 });
  await assert.rejects(
    sendAndWait(api, api.tx.tasks.revealOutput(task, output, new Uint8Array(32)), bob),
    /tasks\.BadReveal/);
  const revealed = await sendAndWait(api, api.tx.tasks.revealOutput(task, output, salt), bob);
  const ev = revealed.events.find(({ event }) => api.events.tasks.OutputRevealed.is(event));
  assert.ok(ev, 'OutputRevealed expected');
  assert.equal(ev.event.data.outputHash.toHex(), blake2AsHex(output, 256));

  // Its only output revealed, the reveal phase closed in the same block and the task went to
  // scoring; no evaluator is bonded on this chain, so the empty committee settled it at once,
  // the bounty refunded and the texts removed.
  const block = (await api.rpc.chain.getHeader(revealed.blockHash)).number.toNumber();
  const t = await waitFor('the task to end', async () => {
    const x = (await api.query.tasks.tasks(task)).unwrap();
    return x.ended.isSome ? x : null;
  }, { timeoutMs: 60_000 });
  assert.ok(t.scoring.isTrue, 'handed over to scoring');
  assert.ok(t.revealEnds.toNumber() - block <= 1, 'the reveal phase closed in the block of the last reveal (or the next)');
  assert.ok(block < info.revealEnds.toNumber(), 'before its planned end');
  assert.equal(t.ended.unwrap().type, 'Settled');
  assert.ok((await api.query.tasks.outputTexts(task, bob.address)).isNone);
});

test('evaluators bond, unbond, cannot withdraw early, and chill', async () => {
  const { api } = node;
  const charlie = keyring.addFromUri('//Charlie');
  await assert.rejects(sendAndWait(api, api.tx.evaluators.bond(1n * POQ), charlie),
    /evaluators\.BondTooSmall/);
  await sendAndWait(api, api.tx.evaluators.bond(200n * POQ), charlie);
  await sendAndWait(api, api.tx.evaluators.activate(), charlie);
  assert.deepEqual((await api.query.evaluators.active()).map((a) => a.toString()),
    [charlie.address]);
  const trust = await api.query.evaluators.trust(charlie.address);
  assert.equal(trust.unwrap().toNumber(), 10_000_000); // a new evaluator starts at the lowest trust, 1 % as Perbill

  await sendAndWait(api, api.tx.evaluators.unbond(50n * POQ), charlie);
  const ledger = (await api.query.evaluators.ledgers(charlie.address)).unwrap();
  assert.equal(ledger.bonded.toBigInt(), 150n * POQ);
  assert.equal(ledger.unbonding.length, 1);
  await assert.rejects(sendAndWait(api, api.tx.evaluators.withdrawUnbonded(), charlie),
    /evaluators\.NothingToWithdraw/);
  await sendAndWait(api, api.tx.evaluators.chill(), charlie);
  assert.equal((await api.query.evaluators.active()).length, 0);
});

test('providers declare models of the governed registry; governance registers and retires them', async () => {
  const { api } = node;
  const alice = keyring.addFromUri('//Alice');
  const dave = keyring.addFromUri('//Dave');
  const models = (await api.call.tasksApi.models()).map((m) => m.model.toUtf8());
  assert.ok(models.includes('good-model@1') && models.includes('e2e-model@1'), 'the genesis models');
  await assert.rejects(sendAndWait(api, api.tx.tasks.registerProvider('llama-3@8b', 1n * POQ), dave),
    /tasks\.UnknownModel/);
  await assert.rejects(sendAndWait(api, api.tx.tasks.registerModel('llama-3', '8b'), dave), /BadOrigin/);
  await assert.rejects(sendAndWait(api, api.tx.sudo.sudo(api.tx.tasks.registerModel('llama 3', '8b')), alice)
    .then(({ events }) => {
      const failed = events.find(({ event }) => api.events.sudo.Sudid.is(event) && event.data[0].isErr);
      if (failed) throw new Error(dispatchErrorName(api, failed.event.data[0].asErr));
    }), /InvalidModelId/);
  await sendAndWait(api, api.tx.sudo.sudo(api.tx.tasks.registerModel('llama-3', '8b')), alice);
  await sendAndWait(api, api.tx.tasks.registerProvider('llama-3@8b', 1n * POQ), dave);
  const llama = (await api.call.tasksApi.models()).find((m) => m.model.toUtf8() === 'llama-3@8b');
  assert.equal(llama.providers.toNumber(), 1);
  assert.equal(llama.name.toUtf8(), 'llama-3');
  await sendAndWait(api, api.tx.sudo.sudo(api.tx.tasks.retireModel('llama-3@8b')), alice);
  const ferdie = keyring.addFromUri('//Ferdie');
  await assert.rejects(sendAndWait(api, api.tx.tasks.registerProvider('llama-3@8b', 1n * POQ), ferdie),
    /tasks\.ModelRetired/);
});
