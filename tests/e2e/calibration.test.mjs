// Live calibration on the dev chain: gold tasks posted among ordinary ones are scored by the
// evaluator node's off-chain worker like any task; their labels are revealed after settlement;
// reliability and gate state are read through the runtime API; a council motion pins a dimension;
// the chain audit reads the gold records back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, sendAndWait, sendEvents } from './lib/node.mjs';
import { councilMotion as motion } from './lib/governance.mjs';
import { TEST_QUERIES, QUERIES, prepare, postAndAnswer, waitForResults } from './lib/poq.mjs';
import { goldCommitment } from './lib/commitments.mjs';
import { labelsInOutputOrder } from './lib/gold.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
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

/** A council motion (Alice proposes, Alice and Bob vote, Bob closes); returns the close events. */
function councilMotion(api, proposal) {
  const council = ['//Alice', '//Bob'].map((u) => keyring.addFromUri(u));
  return motion(api, proposal, council, sendEvents(api));
}

// Labels of the test queries' answers: correct, fluent wrong, off-topic, loop.
const LABEL = { good: 900_000, wrong: 300_000, offTopic: 100_000, degenerate: 50_000 };

test('gold tasks among ordinary ones calibrate the chain, and the council pins a dimension', async () => {
  const { api } = node;
  await prepare(api, keyring);
  const ferdie = keyring.addFromUri('//Ferdie');
  // The council approves Ferdie as a gold poster.
  const approved = await councilMotion(api, api.tx.calibration.addGoldPoster(ferdie.address));
  assert.ok(approved.some(({ event }) => api.events.calibration.GoldPosterAdded.is(event)));

  // Two gold tasks (one QA, one summarization: each family has one gold credit) between two
  // ordinary ones. Ferdie posts all four; nothing on chain marks the gold ones.
  const queries = [QUERIES[0], TEST_QUERIES[0], QUERIES[1], TEST_QUERIES[1]];
  const goldIdx = [1, 3];
  assert.deepEqual(goldIdx.map((i) => queries[i].family), ['Qa', 'Summarization']);
  const salt = new Uint8Array(32).fill(4);
  const gold = [];
  const { tasks } = await postAndAnswer(api, keyring, queries, {
    afterCommit: async (ts, providers) => {
      const byProvider = new Map(providers.map((p) => [p.pair.address, LABEL[p.role]]));
      for (const i of goldIdx) {
        const labels = await labelsInOutputOrder(api, ts[i], byProvider);
        const commitment = goldCommitment(ferdie, ts[i], labels, salt);
        await sendAndWait(api, api.tx.calibration.commitGold(commitment), ferdie);
        gold.push({ task: ts[i], labels, commitment, family: queries[i].family });
      }
    },
  });
  // The off-chain worker scores all four like any task.
  const results = await waitForResults(api, tasks);
  for (const r of results) {
    assert.equal(r.evaluators[0].conduct.type, 'Revealed');
  }
  const before = (await api.call.calibrationApi.calibration('Qa')).toJSON();
  assert.ok(before.reliability.every((r) => r === null), 'nothing measured before a reveal');

  // After settlement, Ferdie reveals the labels: counted, with the accuracy of every series.
  for (const g of gold) {
    const { events } = await sendAndWait(api,
      api.tx.calibration.revealGold(g.commitment, g.task, { Quality: g.labels }, salt), ferdie);
    const revealed = events.find(({ event }) => api.events.calibration.GoldRevealed.is(event));
    assert.ok(revealed, `task ${g.task}: labels counted`);
    assert.ok(events.some(({ event }) => api.events.calibration.GoldTrustApplied.is(event)));
  }
  for (const family of ['Qa', 'Summarization']) {
    const c = (await api.call.calibrationApi.calibration(family)).toJSON();
    assert.equal(c.goldTasks[4], 1, `${family}: one gold task measured alignment`);
    // The correct answer outranks the fluent wrong one on the composite: most pairs agree.
    assert.ok(c.reliability[6] > 500_000, `${family}: composite reliability ${c.reliability[6]}`);
    assert.deepEqual(c.gated, [false, false, false, false, false, false], 'one gold task moves no gate');
    assert.equal(c.credit, 0, `${family}: the gold credit is spent`);
  }
  const records = await api.call.calibrationApi.goldRecords();
  assert.deepEqual(records.map((r) => r.task.toNumber()), gold.map((g) => g.task));

  // The council pins alignment on for QA, overriding the gate.
  const pinned = await councilMotion(api, api.tx.calibration.pinDimension('Qa', 4, true));
  assert.ok(pinned.some(({ event }) => api.events.calibration.DimensionPinned.is(event)));
  const qa = (await api.call.calibrationApi.calibration('Qa')).toJSON();
  assert.equal(qa.pinned[4], true);

  // The chain audit reads the gold records and the gate state back.
  const plots = fs.mkdtempSync(path.join(os.tmpdir(), 'poq-audit-chain-'));
  const out = execFileSync('bash', [path.join(root, 'scripts/audit-chain.sh'),
    '--url', `ws://127.0.0.1:${node.rpcPort}`, '--plots', plots], { encoding: 'utf8' });
  fs.rmSync(plots, { recursive: true, force: true });
  assert.match(out, /gold tasks: 2/);
  assert.match(out, /\| Qa \| alignment \|.*\| pinned on \|/);
  assert.match(out, /pairwise accuracy/);
});
