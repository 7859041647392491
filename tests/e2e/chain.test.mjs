// The chain boots: a real `poq-node --dev` authors and finalizes blocks, serves metadata that
// decodes, and includes a balance transfer signed by //Alice.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { startNode, waitFor, sendAndWait } from './lib/node.mjs';

let node;

before(async () => {
  await cryptoWaitReady();
  node = await startNode(['--dev']);
});

after(async () => {
  if (node) await node.stop();
});

test('blocks are produced and finalized', async () => {
  const { api } = node;
  const best = await waitFor('block #3', async () => {
    const h = await api.rpc.chain.getHeader();
    return h.number.toNumber() >= 3 ? h.number.toNumber() : 0;
  }, { timeoutMs: 90_000 });
  assert.ok(best >= 3);
  const finalized = await waitFor('a finalized block past genesis', async () => {
    const hash = await api.rpc.chain.getFinalizedHead();
    const h = await api.rpc.chain.getHeader(hash);
    return h.number.toNumber() >= 1 ? h.number.toNumber() : 0;
  }, { timeoutMs: 90_000 });
  assert.ok(finalized >= 1, `finalized #${finalized}`);
});

test('state_getMetadata decodes and lists the runtime pallets', async () => {
  const { api } = node;
  const raw = await api.rpc.state.getMetadata();
  // Decode the raw bytes again with a fresh registry, independent of the API's own decoding.
  const registry = new TypeRegistry();
  const md = new Metadata(registry, raw.toU8a());
  registry.setMetadata(md);
  const pallets = md.asLatest.pallets.map((p) => p.name.toString());
  for (const name of ['System', 'Timestamp', 'Babe', 'Grandpa', 'Session', 'Historical',
    'ValidatorSet', 'Offences', 'Authorship', 'Balances', 'TransactionPayment',
    'Sudo', 'Council', 'CouncilMembership']) {
    assert.ok(pallets.includes(name), `pallet ${name} missing from ${pallets.join(',')}`);
  }
  const version = await api.rpc.state.getRuntimeVersion();
  assert.equal(version.specName.toString(), 'proof-of-quality');
});

test('committee randomness: the beacon folds in every block\'s BABE VRF output', async () => {
  const { api } = node;
  const pallets = (await api.rpc.state.getMetadata()).asLatest.pallets.map((p) => p.name.toString());
  assert.ok(!pallets.includes('RandomnessCollectiveFlip'), 'no collective-flip randomness on the dev chain');
  // Three consecutive blocks: each has its author's VRF output and a new beacon.
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  const beacons = [];
  for (let n = start; n < start + 3; n++) {
    await waitFor(`block #${n + 1}`, async () => (await api.rpc.chain.getHeader()).number.toNumber() > n,
      { timeoutMs: 60_000 });
    const hash = await api.rpc.chain.getBlockHash(n + 1);
    const at = await api.at(hash);
    assert.ok((await at.query.babe.authorVrfRandomness()).isSome, `block #${n + 1} carries a VRF output`);
    beacons.push((await at.query.consensus.beacon()).toHex());
  }
  assert.equal(new Set(beacons).size, 3, `beacons ${beacons.join(', ')}`);
  assert.equal(api.consts.consensus.drawDelay.toNumber(), 2);
});

test('the dev genesis seats Alice, Bob and Charlie on the council', async () => {
  const { api } = node;
  const keyring = new Keyring({ type: 'sr25519' });
  const expected = ['//Alice', '//Bob', '//Charlie'].map((s) => keyring.addFromUri(s).address).sort();
  const members = (await api.query.council.members()).map((a) => a.toString()).sort();
  assert.deepEqual(members, expected);
});

test('a balance transfer signed by //Alice is included', async () => {
  const { api } = node;
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const dest = keyring.addFromUri('//e2e-transfer-destination');
  const amount = 1_000_000_000_000n; // 1 POQ
  const before = (await api.query.system.account(dest.address)).data.free.toBigInt();
  const { events } = await sendAndWait(
    api, api.tx.balances.transferKeepAlive(dest.address, amount), alice);
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)),
    'ExtrinsicSuccess expected');
  assert.ok(events.some(({ event }) => api.events.balances.Transfer.is(event)),
    'Balances.Transfer expected');
  const afterBal = (await api.query.system.account(dest.address)).data.free.toBigInt();
  assert.equal(afterBal - before, amount);
});
