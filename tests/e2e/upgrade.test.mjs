// An upgrade in place: a dev chain started on the previous release's runtime
// (scripts/previous-runtime.sh) takes this release's while tasks are open, and loses nothing.
// `poq-provider` daemons answer, the node's own evaluator scores, `poq` posts; the code goes in
// by `system.authorizeUpgrade` (Root: sudo, since the previous release has no council path)
// and `system.applyAuthorizedUpgrade`. Checked: the spec_version and the storage versions move,
// what the pallets hold carries over the migration block, every task settles (those open at
// the upgrade too), balances add up to the issuance, finality goes on.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { tmpdir, homedir } from 'node:os';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, blake2AsHex, xxhashAsU8a } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { startNode, nodeBinary, sendAndWait, waitFor } from './lib/node.mjs';
import { startStub } from './lib/openai-stub.mjs';
import { ProviderProcess, poq } from './lib/provider.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREVIOUS_SPEC = 105;
const PALLETS = ['Tasks', 'Evaluators', 'Consensus', 'Calibration', 'ValidatorSet'];
let node;
let url;
let stub;
let keyring;
let tmp;
const daemons = [];
const t0 = Date.now();
const step = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(0)} s: ${what}`);

/** The wasm of this release's runtime, as the node's build left it. */
function currentWasm() {
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'poq-target');
  return join(target, 'release', 'wbuild', 'poq-runtime', 'poq_runtime.compact.compressed.wasm');
}

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  tmp = mkdtempSync(join(tmpdir(), 'poq-upgrade-'));
  const previous = execFileSync('bash', [join(root, 'scripts', 'previous-runtime.sh')], { encoding: 'utf8' }).trim();
  // The dev chain spec with the previous release's code: its runtime builds the genesis.
  const spec = JSON.parse(execFileSync(nodeBinary(), ['export-chain-spec', '--chain', 'dev'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  spec.genesis.runtimeGenesis.code = u8aToHex(readFileSync(previous));
  const specPath = join(tmp, 'previous.json');
  writeFileSync(specPath, JSON.stringify(spec));
  node = await startNode(['--dev', '--chain', specPath]);
  url = `ws://127.0.0.1:${node.rpcPort}`;
  stub = await startStub();
});

after(async () => {
  for (const d of daemons) await d.stop();
  if (stub) await stub.close();
  if (node) await node.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The on-chain storage version of `pallet` at block `hash` (0 when none is stored). */
async function storageVersion(api, pallet, hash) {
  const key = u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(':__STORAGE_VERSION__:', 128));
  const raw = await api.rpc.state.getStorage(u8aToHex(key), hash);
  return raw.isSome ? api.createType('u16', raw.unwrap()).toNumber() : 0;
}

/** What the pallets hold of each of `accounts` and of each task at block `hash`, as JSON. */
async function holdings(api, hash, accounts) {
  const at = await api.at(hash);
  const people = {};
  for (const a of accounts) {
    people[a] = {
      account: (await at.query.system.account(a)).toJSON(),
      provider: (await at.query.tasks.providers(a)).toJSON(),
      bond: (await at.query.evaluators.ledgers(a)).toJSON(),
      trust: (await at.query.evaluators.trust(a)).toJSON(),
    };
  }
  const tasks = {};
  for (const [k, v] of await at.query.tasks.tasks.entries()) tasks[k.args[0].toString()] = v.toJSON();
  return { people, tasks };
}

/** `true` when every account's free and reserved balance add up to the total issuance at `hash`. */
async function issuanceAddsUp(api, hash) {
  const at = await api.at(hash);
  const accounts = await at.query.system.account.entries();
  let sum = 0n;
  for (const [, a] of accounts) sum += a.data.free.toBigInt() + a.data.reserved.toBigInt();
  const issuance = (await at.query.balances.totalIssuance()).toBigInt();
  return { sum, issuance };
}

function daemon(uri, kind) {
  const d = new ProviderProcess(['--url', url, '--suri', uri, '--model', 'good-model@1', '--cost', '1',
    '--endpoint', stub.url, '--endpoint-model', kind]);
  daemons.push(d);
  return d;
}

async function submit(query) {
  const r = await poq(['--url', url, '--json', 'submit', '--suri', '//Ferdie', '--family', 'qa', '--query', query,
    '--reference', 'Mercury is the planet closest to the Sun.', '--bounty', '10']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).task;
}

test('the previous release\'s chain takes this release\'s runtime mid-stream and loses nothing', async () => {
  try {
    await scenario();
  } catch (e) {
    console.log(`# the node's last lines:\n${node.logs.slice(-40).join('\n')}`);
    for (const d of daemons) console.log(`# a provider's last lines:\n${d.logs.slice(-10).join('\n')}`);
    throw e;
  }
});

async function scenario() {
  const { api } = node;
  const alice = keyring.addFromUri('//Alice');
  const ferdie = keyring.addFromUri('//Ferdie');
  assert.equal(api.runtimeVersion.specVersion.toNumber(), PREVIOUS_SPEC, 'the chain starts on the previous release');
  const genesis = await api.rpc.chain.getBlockHash(0);
  for (const p of PALLETS) assert.equal(await storageVersion(api, p, genesis), 0, `${p} unversioned before`);

  // Finality: the gap between each new best block and the finalized one.
  const lags = [];
  const unsubHeads = await api.rpc.chain.subscribeNewHeads(async (h) => {
    const fin = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    lags.push([h.number.toNumber(), h.number.toNumber() - fin.number.toNumber()]);
  });

  step('bonding the evaluator');
  const bond = await poq(['--url', url, 'bond', '--suri', '//Alice', '--amount', '1000']);
  assert.equal(bond.code, 0, bond.stderr);
  const providers = [['//Bob', 'good'], ['//Eve', 'wrong'], ['//Dave', 'offTopic']];
  await Promise.all(providers.map(([uri, kind]) => daemon(uri, kind).start()));
  const people = [...providers.map(([uri]) => keyring.addFromUri(uri).address), alice.address, ferdie.address];

  step('providers serving; posting two tasks');
  // Two tasks open when the code changes.
  // One query, three times: the scores are deterministic, so what the first task pays the
  // correct answer the others pay too, before the upgrade and after.
  const query = 'Which planet is closest to the Sun?';
  const open = [await submit(query), await submit(query)];

  step(`tasks ${open} posted; authorizing the upgrade`);
  const code = readFileSync(currentWasm());
  const authorized = await sendAndWait(api, api.tx.sudo.sudo(api.tx.system.authorizeUpgrade(blake2AsHex(code, 256))), alice);
  const sudid = authorized.events.find(({ event }) => api.events.sudo.Sudid.is(event));
  assert.ok(sudid && sudid.event.data.sudoResult.isOk, 'the upgrade is authorized');
  step('applying the upgrade');
  const applied = await sendAndWait(api, api.tx.system.applyAuthorizedUpgrade(u8aToHex(code)), ferdie);
  // The block's events were written by the previous runtime. The API may already have taken the
  // new runtime's metadata (it follows the best block's version) and then fails to decode them
  // in `applied.events`: read them again with the metadata of the runtime that ran the block.
  const appliedEvents = await (await api.at(applied.blockHash)).query.system.events();
  assert.ok(appliedEvents.some(({ event }) => event.section === 'system' && event.method === 'CodeUpdated'),
    `the code is updated: ${JSON.stringify(appliedEvents.map(({ event }) => event.toHuman()))}`);
  const last = await api.rpc.chain.getHeader(applied.blockHash);
  const n = last.number.toNumber();
  console.log(`# the code changed in block #${n}; the new runtime runs from #${n + 1}`);

  // The first block of the new runtime: its migrations ran before anything else.
  const firstHash = await waitFor('the first block of the new runtime', async () => {
    const h = await api.rpc.chain.getBlockHash(n + 1);
    return h.isEmpty || /^0x0+$/.test(h.toHex()) ? null : h;
  }, { timeoutMs: 60_000 });
  const version = await api.rpc.state.getRuntimeVersion(firstHash);
  assert.equal(version.specVersion.toNumber(), PREVIOUS_SPEC + 1);
  for (const p of PALLETS) assert.equal(await storageVersion(api, p, firstHash), 1, `${p} at version 1`);
  assert.equal(await storageVersion(api, 'Preimage', firstHash), 1, 'the new Preimage pallet at its version');

  // What the pallets hold carries over the migration block: every person and task that the
  // block's transactions and events leave alone holds at its end what it held before it.
  const first = await api.at(firstHash);
  const block = await api.rpc.chain.getBlock(firstHash);
  const touched = JSON.stringify([(await first.query.system.events()).toHuman(), block.block.extrinsics.map((x) => x.toHuman())]);
  const [before, after] = [await holdings(api, applied.blockHash, people), await holdings(api, firstHash, people)];
  let compared = 0;
  for (const a of people.filter((a) => !touched.includes(a))) {
    assert.deepEqual(after.people[a], before.people[a], `${a} across the upgrade`);
    compared++;
  }
  for (const t of Object.keys(before.tasks).filter((t) => !touched.includes(`"task":"${t}"`))) {
    assert.deepEqual(after.tasks[t], before.tasks[t], `task ${t} across the upgrade`);
    compared++;
  }
  console.log(`# ${compared} people and tasks compared across the migration block`);
  assert.ok(compared >= 3, 'the migration block left enough alone to compare');

  // The stream goes on across the upgrade: one more task, then every task settles.
  step('posting one more task');
  const later = await submit(query);
  for (const task of [...open, later]) {
    step(`waiting for the result of task ${task}`);
    const r = await poq(['--url', url, '--json', 'result', String(task), '--wait', '300']);
    assert.equal(r.code, 0, `task ${task}: ${r.stderr}`);
    const result = JSON.parse(r.stdout);
    const bob = result.outputs.find((o) => o.provider === people[0]);
    assert.ok(bob && bob.reward > 0, `task ${task}: the correct answer is paid: ${r.stdout}`);
  }

  const best = await api.rpc.chain.getBlockHash();
  for (const hash of [applied.blockHash, firstHash, best]) {
    const { sum, issuance } = await issuanceAddsUp(api, hash);
    assert.equal(sum, issuance, `balances add up to the issuance at ${hash}`);
  }
  // Finality went on through the upgrade.
  const fin = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
  assert.ok(fin.number.toNumber() > n + 1, 'blocks of the new runtime are finalized');
  unsubHeads();
  // The pause the upgrade adds: the largest lag from the code's block on, beyond the largest
  // before it.
  const most = (xs) => Math.max(0, ...xs.map(([, lag]) => lag));
  const [usual, around] = [most(lags.filter(([b]) => b < n)), most(lags.filter(([b]) => b >= n))];
  console.log(`# finality lag: at most ${usual} blocks before the upgrade, ${around} from it on`);
  assert.ok(around - usual < 2, `the upgrade paused finality by ${around - usual} blocks`);
}
