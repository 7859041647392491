// Governance and dispatch errors as every client of this repository handles them: one council
// motion, one name for a dispatch error. No imports, so that zombienet's CommonJS scripts can
// load it too (`await import(...)`), with the @polkadot/api that zombienet provides.

/** A dispatch error's name: `section.Error` for a pallet's error, else its kind (`BadOrigin`, `Token.FundsUnavailable`). */
export function dispatchErrorName(api, err) {
  if (err.isModule) {
    const m = api.registry.findMetaError(err.asModule);
    return `${m.section}.${m.name}`;
  }
  const inner = err.value;
  return inner && !inner.isEmpty && typeof inner.type === 'string' ? `${err.type}.${inner.type}` : err.type;
}

/**
 * A council motion: `proposer` proposes `call` with a threshold of two, `proposer` and
 * `seconder` vote aye, `seconder` closes it. `send(tx, signer)` signs and sends a transaction
 * and resolves with its events once included. Resolves with the close's events; throws when the
 * motion did not execute or its call failed.
 */
export async function councilMotion(api, call, [proposer, seconder], send) {
  const length = call.method.encodedLength;
  const proposedEvents = await send(api.tx.council.propose(2, call, length), proposer);
  const proposed = proposedEvents.find(({ event }) => api.events.council.Proposed.is(event)).event.data;
  const [index, hash] = [proposed.proposalIndex, proposed.proposalHash];
  await send(api.tx.council.vote(hash, index, true), proposer);
  await send(api.tx.council.vote(hash, index, true), seconder);
  const closed = await send(
    api.tx.council.close(hash, index, { refTime: 10_000_000_000n, proofSize: 1_000_000n }, length), seconder);
  const executed = closed.find(({ event }) => api.events.council.Executed.is(event));
  if (!executed || executed.event.data.result.isErr) {
    throw new Error(`the council's ${call.method.section}.${call.method.method} did not execute`);
  }
  return closed;
}
