// Quality consensus on a real dev chain, over plain extrinsics: a query goes from submission to a
// settled result scored by a committee of three accounts, and a council motion changes the
// dimension weights.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, waitFor, sendAndWait, sendEvents } from './lib/node.mjs';
import { councilMotion } from './lib/governance.mjs';
import { outputCommitment, scoresCommitment as commitmentOf } from './lib/commitments.mjs';

const POQ = 1_000_000_000_000n;
/** The model set the chain accepts at genesis (the default one), read in `before`. */
let MODEL_SET;
let node;
let keyring;

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  // This node does not evaluate: the committee below scores over plain extrinsics.
  node = await startNode(['--dev', '--no-evaluator']);
  const accepted = await node.api.query.consensus.acceptedModelSets.entries();
  assert.equal(accepted.length, 1, 'the dev chain accepts one model set at genesis');
  assert.equal(accepted[0][1].unwrap().name.toUtf8(), 'poq-default');
  MODEL_SET = accepted[0][0].args[0].toHex();
});

after(async () => {
  if (node) await node.stop();
});


/** The commitment of `reports` to the accepted model set (see lib/attacker.mjs). */
function scoresCommitment(pair, task, reports, salt) {
  return commitmentOf(pair, task, reports, MODEL_SET, salt);
}


async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

const asReport = ([structure, semantic, alignment]) => ({ structure, semantic, alignment });

test('a query is scored by a committee over extrinsics and settled with every unit accounted for', async () => {
  const { api } = node;
  const [alice, bob, charlie, dave, eve, ferdie] =
    ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((u) => keyring.addFromUri(u));
  const evaluators = [dave, eve, ferdie];

  // Three evaluators bond and activate; two providers register.
  await Promise.all(evaluators.map((e) => sendAndWait(api, api.tx.evaluators.bond(500n * POQ), e)));
  await Promise.all(evaluators.map((e) => sendAndWait(api, api.tx.evaluators.activate(), e)));
  await Promise.all([
    sendAndWait(api, api.tx.tasks.registerProvider('good-model@1', 1n * POQ), bob),
    sendAndWait(api, api.tx.tasks.registerProvider('poor-model@1', 1n * POQ), charlie),
  ]);

  const bounty = 20n * POQ;
  const { events } = await sendAndWait(api, api.tx.tasks.submitQuery(
    'Qa', 'What is the capital of France?', null, bounty,
    { maxOutputs: null, committeeSize: 3 }), alice);
  const task = events.find(({ event }) => api.events.tasks.QuerySubmitted.is(event))
    .event.data.task.toNumber();
  const info = (await api.query.tasks.tasks(task)).unwrap();

  const salt = new Uint8Array(32).fill(5);
  const outputs = [[bob, 'The capital of France is Paris.'], [charlie, 'Bananas are yellow.']];
  await Promise.all(outputs.map(([p, o]) =>
    sendAndWait(api, api.tx.tasks.commitOutput(task, outputCommitment(p, task, o, salt)), p)));
  await waitFor('the reveal phase', async () => (await bestNumber(api)) >= info.answerEnds.toNumber() - 1,
    { timeoutMs: 120_000 });
  await Promise.all(outputs.map(([p, o]) =>
    sendAndWait(api, api.tx.tasks.revealOutput(task, o, salt), p)));

  // The reveal phase closes and the committee is drawn: all three evaluators (k = 3).
  const round = await waitFor('the committee draw', async () => {
    const r = await api.query.consensus.rounds(task);
    return r.isSome ? r.unwrap() : null;
  }, { timeoutMs: 120_000 });
  const members = round.committee.map(([who]) => who.toString()).sort();
  assert.deepEqual(members, evaluators.map((e) => e.address).sort());
  // The runtime API serves the same round.
  const viaApi = await api.call.consensusApi.round(task);
  assert.equal(viaApi.unwrap().commitEnds.toNumber(), round.commitEnds.toNumber());

  // Reports follow the task's output order (commit order, read from the chain). Dave and Eve
  // agree (Bob's answer good, Charlie's poor); Ferdie inverts.
  const order = (await api.query.tasks.committers(task)).map((a) => a.toString());
  const row = (good, poor) => order.map((who) => (who === bob.address ? good : poor));
  const honest = row([900_000, 850_000, 800_000], [300_000, 100_000, 50_000]);
  const liar = row([100_000, 100_000, 100_000], [1_000_000, 1_000_000, 1_000_000]);
  const plan = new Map([[dave, honest], [eve, honest], [ferdie, liar]]);
  await Promise.all([...plan].map(([e, r]) =>
    sendAndWait(api, api.tx.consensus.commitScores(task, scoresCommitment(e, task, r, salt)), e)));
  await assert.rejects(
    sendAndWait(api, api.tx.consensus.commitScores(task, scoresCommitment(alice, task, honest, salt)), alice),
    /consensus\.NotEvaluator/);

  await waitFor('the score reveal window', async () =>
    (await bestNumber(api)) >= round.commitEnds.toNumber() - 1, { timeoutMs: 120_000 });
  await assert.rejects(
    sendAndWait(api, api.tx.consensus.revealScores(task, [asReport(honest[0])], MODEL_SET, salt), dave),
    /consensus\.WrongReportCount/);
  await Promise.all([...plan].map(([e, r]) =>
    sendAndWait(api, api.tx.consensus.revealScores(task, r.map(asReport), MODEL_SET, salt), e)));

  const result = await waitFor('settlement', async () => {
    const r = await api.call.consensusApi.taskResult(task);
    return r.isSome ? r.unwrap() : null;
  }, { timeoutMs: 120_000 });
  assert.equal(result.winner.unwrap().toString(), bob.address);
  const good = result.outputs.find((o) => o.provider.toString() === bob.address);
  const poor = result.outputs.find((o) => o.provider.toString() === charlie.address);
  assert.ok(good.composite.toNumber() > poor.composite.toNumber(), 'the good answer ranks first');
  assert.equal(good.scores[2].unwrap().toNumber(), 900_000, 'structure: the honest majority');
  const rewards = [...result.outputs, ...result.evaluators].reduce((a, x) => a + x.reward.toBigInt(), 0n);
  assert.equal(rewards + result.refunded.toBigInt(), bounty, 'every unit of the pool is accounted for');
  const byWho = new Map(result.evaluators.map((e) => [e.who.toString(), e]));
  assert.ok(byWho.get(dave.address).reward.toBigInt() > 0n);
  assert.equal(byWho.get(ferdie.address).reward.toBigInt(), 0n, 'the liar earns nothing');
  const trust = async (e) => (await api.call.consensusApi.trust(e.address)).unwrap().toNumber();
  assert.ok(await trust(ferdie) < await trust(dave), 'the liar loses trust');
  assert.equal(((await api.query.tasks.tasks(task)).unwrap()).ended.unwrap().isSettled, true);
});

test('a council motion changes the dimension weights', async () => {
  const { api } = node;
  const [alice, bob] = ['//Alice', '//Bob'].map((u) => keyring.addFromUri(u));
  const calibrated = [150_000, 100_000, 200_000, 250_000, 0, 0];
  const proposal = api.tx.consensus.setDimensionWeights('Code', calibrated);

  // A single member cannot change weights.
  await assert.rejects(sendAndWait(api, proposal, alice), /BadOrigin/);

  // Alice proposes, Alice and Bob (two of three) vote, Bob closes; it throws unless executed.
  const closed = await councilMotion(api, proposal, [alice, bob], sendEvents(api));
  assert.ok(closed.some(({ event }) => api.events.consensus.DimensionWeightsSet.is(event)));
  const stored = (await api.query.consensus.weights('Code')).map((w) => w.toNumber());
  assert.deepEqual(stored, calibrated);
  const qa = (await api.query.consensus.weights('Qa')).map((w) => w.toNumber());
  assert.deepEqual(qa, [150_000, 100_000, 50_000, 250_000, 450_000, 150_000], 'other families keep the default weights');
});
