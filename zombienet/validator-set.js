// The validator-set scenario of zombienet/validators.zndsl, run by zombienet's `js-script`
// (CommonJS; zombienet provides @polkadot/api as the global `zombie`). It follows the README's
// validator checklist:
//
//   1. Dave (a validator node outside the set) makes session keys bound to his account
//      (`author_rotateKeysWithOwner` on his own node) and registers them (`session.setKeys`);
//      Bob rotates his keys the same way on his live node.
//   2. The council (Alice and Bob of Alice, Bob, Charlie: two thirds) adds Dave.
//   3. From the session after next, Dave authors blocks, and Bob authors with his new key; across
//      the rotation Bob misses no more of his slots than the other validators miss of theirs
//      (plus one), so the rotation itself costs no slot.
//   4. The council removes Charlie; once the set is Alice, Bob and Dave, finality goes on, which
//      needs Dave's GRANDPA votes (three of three).
//
// Prints a line per step; throws (the test fails) when a step does not hold in time.

const SESSION_WAIT_MS = 8 * 60 * 1000;

const log = (...a) => console.log('    [validator-set]', ...a);

async function waitUntil(what, check, timeoutMs) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// The e2e tests' governance helpers (ES module without imports): one council motion and one
// name for dispatch errors across every client of the repository.
const governance = import('../tests/e2e/lib/governance.mjs');

/** Signs and sends `tx`, resolving when it is in a block; throws on a dispatch error. */
async function send(api, tx, signer) {
  const { dispatchErrorName } = await governance;
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        reject(new Error(`${tx.method.section}.${tx.method.method}: ${dispatchErrorName(api, dispatchError)}`));
      } else if (status.isInBlock) {
        resolve(events);
      }
    }).catch(reject);
  });
}

/** Generates session keys on the node at `ws`, bound to `account`, and registers them. */
async function rotateAndSetKeys(ws, api, pair) {
  const owner = api.createType('AccountId32', pair.address).toHex();
  const generated = await ws.send('author_rotateKeysWithOwner', [owner]);
  await send(api, api.tx.session.setKeys(generated.keys, generated.proof), pair);
  // SessionKeys encode as babe (32 bytes) || grandpa (32) || evaluator (32).
  const babe = `0x${generated.keys.slice(2, 66)}`;
  return { keys: generated.keys, babe };
}

/** A council motion of Alice, voted for by Alice and Bob (2 of 3), closed and executed. */
async function councilDoes(api, call, alice, bob) {
  const { councilMotion } = await governance;
  await councilMotion(api, call, [alice, bob], (tx, signer) => send(api, tx, signer));
}

/** BABE authority index and slot of a header's pre-runtime digest. */
function babeClaim(api, header) {
  for (const log of header.digest.logs) {
    if (log.isPreRuntime && log.asPreRuntime[0].toString() === 'BABE') {
      const pre = api.createType('RawBabePreDigest', log.asPreRuntime[1]);
      const inner = pre.isPrimary ? pre.asPrimary : pre.isSecondaryVRF ? pre.asSecondaryVRF : pre.asSecondaryPlain;
      return { index: inner.authorityIndex.toNumber(), slot: inner.slotNumber.toBigInt(), primary: pre.isPrimary };
    }
  }
  throw new Error(`block ${header.number} has no BABE pre-digest`);
}

/** The secondary author of `slot` in an epoch: blake2_256((randomness, slot)) mod n. */
function secondaryAuthor(randomness, slot, n) {
  const { blake2AsU8a } = zombie.util;
  const slotLe = new Uint8Array(8);
  new DataView(slotLe.buffer).setBigUint64(0, slot, true);
  const input = new Uint8Array(40);
  input.set(randomness, 0);
  input.set(slotLe, 32);
  const hash = blake2AsU8a(input, 256);
  let value = 0n;
  for (const byte of hash) value = (value << 8n) | BigInt(byte);
  return Number(value % BigInt(n));
}

/**
 * Walks the blocks `from..=to` of the best chain: how many each BABE key authored, and how many
 * of the slots between them (every slot has a secondary author) each key missed.
 */
async function authorship(api, from, to) {
  const authored = new Map();
  const missed = new Map();
  const add = (map, key) => map.set(key, (map.get(key) || 0) + 1);
  let previous = null;
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const header = await api.rpc.chain.getHeader(hash);
    const claim = babeClaim(api, header);
    // The authorities and randomness of the epoch this block is in.
    const at = await api.at(header.parentHash);
    const authorities = (await at.query.babe.authorities()).map(([id]) => id.toHex());
    const randomness = (await at.query.babe.randomness()).toU8a();
    add(authored, authorities[claim.index]);
    if (previous !== null) {
      for (let slot = previous + 1n; slot < claim.slot; slot++) {
        add(missed, authorities[secondaryAuthor(randomness, slot, authorities.length)]);
      }
    }
    previous = claim.slot;
  }
  const missedTotal = [...missed.values()].reduce((a, b) => a + b, 0);
  return { authored, missed, missedTotal };
}

async function run(nodeName, networkInfo) {
  const { ApiPromise, WsProvider, Keyring } = zombie;
  const uri = (name) => networkInfo.nodesByName[name].wsUri;
  const wsAlice = new WsProvider(uri('alice'));
  const api = await ApiPromise.create({ provider: wsAlice });
  const wsDave = new WsProvider(uri('dave'));
  const wsBob = new WsProvider(uri('bob'));
  await Promise.all([wsDave.isReady, wsBob.isReady]);
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, bob, charlie, dave] = ['Alice', 'Bob', 'Charlie', 'Dave'].map((n) => keyring.addFromUri(`//${n}`));
  const validators = async () => (await api.query.session.validators()).map((v) => v.toString());
  const session = async () => (await api.query.session.currentIndex()).toNumber();
  const finalized = async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  const best = async () => (await api.rpc.chain.getHeader()).number.toNumber();

  // 1. Keys.
  const start = await session();
  const daveKeys = await rotateAndSetKeys(wsDave, api, dave);
  const bobOld = (await api.query.session.nextKeys(bob.address)).unwrap().babe.toHex();
  const bobKeys = await rotateAndSetKeys(wsBob, api, bob);
  const rotatedAt = await best();
  log(`session ${start}: Dave and Bob registered keys made on their own nodes (block ${rotatedAt})`);

  // 2. The council adds Dave.
  await councilDoes(api, api.tx.validatorSet.addValidator(dave.address), alice, bob);
  const addedIn = await session();
  log(`session ${addedIn}: the council added Dave`);

  // 3. Dave authors; Bob authors with his new key.
  await waitUntil('Dave in the session validators', async () => (await validators()).includes(dave.address), SESSION_WAIT_MS);
  const joined = await session();
  const joinedAt = await best();
  const authorities = (await api.query.babe.authorities()).map(([id]) => id.toHex());
  if (!authorities.includes(daveKeys.babe)) throw new Error("Dave's BABE key is not a BABE authority");
  if (!authorities.includes(bobKeys.babe) || authorities.includes(bobOld)) throw new Error("Bob's new key did not replace the old one");
  const grandpa = (await api.call.grandpaApi.grandpaAuthorities()).length;
  log(`session ${joined} (block ${joinedAt}): set ${(await validators()).length}, BABE authorities ${authorities.length}, GRANDPA ${grandpa}`);
  await waitUntil('Dave, and Bob with his new key, authoring blocks', async () => {
    const now = await best();
    if (now < joinedAt + 3) return false;
    const { authored } = await authorship(api, joinedAt + 1, now);
    return authored.get(daveKeys.babe) > 0 && authored.get(bobKeys.babe) > 0;
  }, SESSION_WAIT_MS);
  // Bob's slots across the rotation: under his old key until the new set, under his new key
  // after. A slot can be missed on a busy machine whoever owns it, so Bob's misses are compared
  // with the other validators' average over the same blocks.
  const end = await best();
  const window = await authorship(api, rotatedAt, end);
  const bobMissed = (window.missed.get(bobOld) || 0) + (window.missed.get(bobKeys.babe) || 0);
  const others = Math.max(1, authorities.length - 1);
  const othersMissed = (window.missedTotal - bobMissed) / others;
  log(`Dave authored ${window.authored.get(daveKeys.babe)} block(s); blocks ${rotatedAt}..${end}: ` +
    `Bob missed ${bobMissed} of his slots across the rotation, the others ${othersMissed.toFixed(1)} each`);
  if (bobMissed > othersMissed + 1) throw new Error(`Bob missed ${bobMissed} of his slots across the key rotation`);

  // 4. The council removes Charlie; finality continues with Alice, Bob and Dave.
  await councilDoes(api, api.tx.validatorSet.removeValidator(charlie.address), alice, bob);
  log(`session ${await session()}: the council removed Charlie`);
  await waitUntil('Charlie out of the session validators', async () => !(await validators()).includes(charlie.address), SESSION_WAIT_MS);
  const left = await best();
  const set = await validators();
  const expected = [alice.address, bob.address, dave.address];
  if (set.length !== 3 || !expected.every((a) => set.includes(a))) throw new Error(`unexpected set ${set}`);
  await waitUntil('finality beyond the set change', async () => (await finalized()) >= left + 3, 3 * 60 * 1000);
  log(`session ${await session()}: set Alice, Bob, Dave; finalized ${await finalized()} > change at ${left}`);

  await api.disconnect();
  await wsDave.disconnect();
  await wsBob.disconnect();
  return 1;
}

module.exports = { run };
