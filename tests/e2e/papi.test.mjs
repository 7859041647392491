// Any client works: a whole task played with polkadot-api alone (the client the ecosystem now
// recommends), beside the @polkadot/api tests. Its default transactions are mortal; the chain
// accepts them. The node's evaluator (Alice) scores the outputs; polkadot-api reads the result.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { AccountId, createClient } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { sr25519CreateDerive } from '@polkadot-labs/hdkd';
import { DEV_PHRASE, entropyToMiniSecret, mnemonicToEntropy } from '@polkadot-labs/hdkd-helpers';
import { startNode, waitFor } from './lib/node.mjs';
import { outputCommitment } from './lib/commitments.mjs';
import { POQ, TEST_QUERIES } from './lib/poq.mjs';

let node;
let client;
const derive = sr25519CreateDerive(entropyToMiniSecret(mnemonicToEntropy(DEV_PHRASE)));

/** A dev account as polkadot-api signs with it; `publicKey` serves the commitments too. */
function dev(uri) {
  const kp = derive(uri);
  return { publicKey: kp.publicKey, signer: getPolkadotSigner(kp.publicKey, 'Sr25519', kp.sign) };
}

const hex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;
const text = (s) => new TextEncoder().encode(s);

before(async () => {
  node = await startNode(['--dev']);
  client = createClient(getWsProvider(`ws://127.0.0.1:${node.rpcPort}`, { websocketClass: WebSocket }));
});

after(async () => {
  if (client) client.destroy();
  if (node) await node.stop();
});

/**
 * Signs and submits `tx` (mortal, the default), resolving with its events once it is in a best
 * block (not waiting for finality: the answer and reveal phases last a few blocks).
 */
function submit(tx, who) {
  return new Promise((resolve, reject) => {
    const sub = tx.signSubmitAndWatch(who.signer).subscribe({
      next: (ev) => {
        if (ev.type !== 'txBestBlocksState' || !ev.found) return;
        sub.unsubscribe();
        if (ev.ok) resolve(ev.events);
        else reject(new Error(`dispatch error: ${JSON.stringify(ev.dispatchError)}`));
      },
      error: reject,
    });
  });
}

test('polkadot-api runs a whole task: mortal transactions, commit and reveal, the evaluator scores it', async () => {
  const api = client.getUnsafeApi();
  const [alice, bob, eve, ferdie] = ['//Alice', '//Bob', '//Eve', '//Ferdie'].map(dev);
  const query = TEST_QUERIES.find((q) => q.family === 'Qa');
  const providers = [{ who: bob, model: 'good-model@1', answer: query.answers.good },
    { who: eve, model: 'wrong-model@1', answer: query.answers.wrong }];

  // Alice's node evaluates: she bonds and joins; the providers register models of the registry.
  await submit(api.tx.Evaluators.bond({ amount: 1_000n * POQ }), alice);
  await submit(api.tx.Evaluators.activate(), alice);
  await Promise.all(providers.map((p) =>
    submit(api.tx.Tasks.register_provider({ model_id: text(p.model), declared_cost: POQ }), p.who)));

  const submitted = await submit(api.tx.Tasks.submit_query({
    family: { type: 'Qa', value: undefined },
    query: text(query.query),
    reference: query.reference === null ? undefined : text(query.reference),
    bounty: 30n * POQ,
    options: { max_outputs: undefined, committee_size: undefined },
  }), ferdie);
  const posted = submitted.find((e) => e.type === 'Tasks' && e.value.type === 'QuerySubmitted');
  const task = posted.value.value.task;

  const salt = new Uint8Array(32).fill(7);
  await Promise.all(providers.map((p) =>
    submit(api.tx.Tasks.commit_output({ task, commitment: outputCommitment(p.who, task, p.answer, salt) }), p.who)));
  // Reads at the best block (polkadot-api reads at the finalized one by default).
  const best = { at: 'best' };
  const info = await api.query.Tasks.Tasks.getValue(task, best);
  await waitFor('the reveal phase', async () =>
    (await api.query.System.Number.getValue(best)) >= info.answer_ends - 1, { timeoutMs: 120_000 });
  await Promise.all(providers.map((p) =>
    submit(api.tx.Tasks.reveal_output({ task, output: text(p.answer), salt: hex(salt) }), p.who)));

  const result = await waitFor(`the result of task ${task}`,
    async () => (await api.apis.ConsensusApi.task_result(task, best)) ?? null, { timeoutMs: 240_000 });
  const [evaluator] = result.evaluators;
  assert.equal(evaluator.conduct.type, 'Revealed', 'the node revealed its scores');
  assert.equal(result.outputs.length, 2);
  // The correct answer (Bob's) wins and is paid.
  assert.equal(result.winner, AccountId().dec(bob.publicKey));
  const good = result.outputs.find((o) => o.provider === result.winner);
  assert.ok(good.reward > 0n, 'the winner is paid');
});
