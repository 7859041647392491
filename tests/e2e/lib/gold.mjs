// Gold tasks from a client: the labels' commitment as the calibration pallet computes it, and the
// commit and reveal calls.

import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aConcat, stringToU8a, compactToU8a, bnToU8a } from '@polkadot/util';

const u32le = (n) => bnToU8a(n, { bitLength: 32, isLe: true });
const u64le = (n) => bnToU8a(n, { bitLength: 64, isLe: true });

/** SCALE of `GoldLabels::Quality(qualities)` (parts per million). */
function encodeQuality(qualities) {
  return u8aConcat(new Uint8Array([0]), compactToU8a(qualities.length), ...qualities.map(u32le));
}

/** `blake2_256(SCALE((b"poq/gold", poster, task, GoldLabels::Quality(q), salt)))`. */
export function goldCommitment(poster, task, qualities, salt) {
  return blake2AsHex(u8aConcat(stringToU8a('poq/gold'), poster.publicKey, u64le(task),
    encodeQuality(qualities), salt), 256);
}

/** The qualities of `task`'s outputs in the chain's output order, from a label per provider address. */
export async function labelsInOutputOrder(api, task, byProvider) {
  const order = (await api.query.tasks.committers(task)).map((a) => a.toString());
  return order.map((who) => byProvider.get(who));
}
