// The JS mirror of the chain's commitments (lib/commitments.mjs) against the vectors that
// `poq_primitives::commitment`'s own tests check: a client that computes a commitment
// differently fails here, before it reaches a chain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputCommitment, scoresCommitment, goldCommitment } from './lib/commitments.mjs';

// Account `1u64` of the pallets' mock runtimes: its SCALE encoding stands for a public key.
const pair = { publicKey: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) };

test('the JS commitments are the runtime\'s, byte for byte', () => {
  assert.equal(outputCommitment(pair, 7, 'four', new Uint8Array(32).fill(9)),
    '0xc2dfb5748d887eb5ac2e61ad40af30411f2fbe982993adcad3902c125e6e4b06');
  assert.equal(scoresCommitment(pair, 7, [[1, 2, 3]], new Uint8Array(32).fill(5), new Uint8Array(32).fill(9)),
    '0x924187f91646b98e2aa61411a769bbb6b4d603d523755465be7eb359d36084dd');
  assert.equal(goldCommitment(pair, 7, [10, 20], new Uint8Array(32).fill(9)),
    '0xc64172713cbfa212803512c4c93fa0e15625527e7097b53c35948f7b34343130');
});
