// The chain's three commit-reveal commitments, as clients compute them: the mirror of
// `poq_primitives::commitment` (pallets/primitives/src/commitment.rs). Each is
// `blake2_256(SCALE((tag, account, task, payload..., salt)))`, the tag raw bytes, `task` a u64
// (little endian), `salt` 32 bytes.

import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aConcat, stringToU8a, compactToU8a, compactAddLength, bnToU8a } from '@polkadot/util';

const u32le = (n) => bnToU8a(n, { bitLength: 32, isLe: true });
const u64le = (n) => bnToU8a(BigInt(n), { bitLength: 64, isLe: true });
const hash = (...parts) => blake2AsHex(u8aConcat(...parts), 256);

/** SCALE of `Vec<ScoreReport>` from `[structure, semantic, alignment]` parts per million. */
export function encodeReports(reports) {
  return u8aConcat(compactToU8a(reports.length),
    ...reports.map(([st, se, al]) => u8aConcat(u32le(st), u32le(se), u32le(al))));
}

/** SCALE of `GoldLabels::Quality(qualities)` (parts per million). */
export function encodeQuality(qualities) {
  return u8aConcat(new Uint8Array([0]), compactToU8a(qualities.length), ...qualities.map(u32le));
}

/** A provider's commitment: `blake2_256(SCALE((b"poq/output", account, task, output, salt)))`. */
export function outputCommitment(pair, task, output, salt) {
  return hash(stringToU8a('poq/output'), pair.publicKey, u64le(task), compactAddLength(stringToU8a(output)), salt);
}

/** An evaluator's commitment: `blake2_256(SCALE((b"poq/scores", account, task, reports, model_set, salt)))`. */
export function scoresCommitment(pair, task, reports, modelSet, salt) {
  return hash(stringToU8a('poq/scores'), pair.publicKey, u64le(task), encodeReports(reports), modelSet, salt);
}

/** A gold poster's commitment: `blake2_256(SCALE((b"poq/gold", poster, task, GoldLabels::Quality(q), salt)))`. */
export function goldCommitment(poster, task, qualities, salt) {
  return hash(stringToU8a('poq/gold'), poster.publicKey, u64le(task), encodeQuality(qualities), salt);
}
