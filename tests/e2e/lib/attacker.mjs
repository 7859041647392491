// A dishonest evaluator, as an attacker would write it: a bonded account whose client commits
// and reveals manipulated scores over RPC instead of running the scoring engine. The production
// node has no attack mode; this client is all an attacker needs.
//
// Strategies (per task, `strategy(task, providers)` picks one):
// - `boost`: its friend's output (a provider it colludes with) gets 1.0 on every dimension,
//   every other output 0;
// - `sabotage`: the best-placed output (the `good` provider) gets 0, every other one 1.0;
// - a colluding pair: two attackers with the same strategy and friend report one vector.
//
// It commits as soon as its committee is drawn and reveals in the first block the reveal window
// allows, with the model set the chain accepts (it runs no models, so the hash is a lie).

import { scoresCommitment } from './commitments.mjs';

const ONE = 1_000_000;

/** The reports of `strategy` for outputs in `order` (provider addresses). */
export function manipulated(strategy, order, { friends, victims }) {
  return order.map((who) => {
    const x = strategy === 'boost' ? (friends.has(who) ? ONE : 0) : (victims.has(who) ? 0 : ONE);
    return [x, x, x];
  });
}

export class Attacker {
  /**
   * `pair` the bonded evaluator account; `strategy(task)` returns `'boost'` or `'sabotage'`;
   * `friends` / `victims` the sets of provider addresses it boosts or sabotages. Tasks in
   * `late` are committed to in the last block of the commit window instead of the first.
   */
  constructor(api, pair, { name, strategy, friends, victims }) {
    Object.assign(this, { api, pair, name, strategy, friends, victims });
    this.late = new Set();
    this.rounds = new Map(); // task -> { reports, committed, revealed }
    this.sent = { commits: 0, reveals: 0, refused: 0 };
    this.nonce = null;
    this.unsub = null;
  }

  async start() {
    const { api } = this;
    this.modelSet = (await api.query.consensus.acceptedModelSets.keys())[0].args[0].toHex();
    this.unsub = await api.rpc.chain.subscribeNewHeads((h) => {
      this.onBlock(h).catch((e) => console.error(`[${this.name}] block ${h.number}: ${e.message}`));
    });
  }

  stop() {
    if (this.unsub) this.unsub();
  }

  /**
   * Sends `tx` with the next nonce and follows it: `trace` gets `{ what, sentAt, inBlockAt,
   * fate }` (block numbers; `fate` a pool status such as `Dropped`, or the refusal).
   */
  async fire(tx, trace, what, sentAt) {
    const { api } = this;
    if (this.nonce === null) this.nonce = (await api.rpc.system.accountNextIndex(this.pair.address)).toNumber();
    const nonce = this.nonce++;
    const rec = { what, sentAt };
    trace.push(rec);
    await tx.signAndSend(this.pair, { nonce }, ({ status }) => {
      if (status.isInBlock && rec.inBlockAt === undefined) {
        rec.inBlockAt = null;
        api.rpc.chain.getHeader(status.asInBlock).then((h) => { rec.inBlockAt = h.number.toNumber(); }).catch(() => {});
      } else if (status.isDropped || status.isInvalid || status.isUsurped) rec.fate = status.type;
    }).catch((e) => {
      rec.fate = `refused: ${e.message.split(':')[0]}`;
      this.sent.refused += 1;
      this.nonce = null;
    });
  }

  /** Each new block: commit to every new round it sits on, reveal where the window allows. */
  async onBlock(header) {
    const { api } = this;
    const number = header.number.toNumber();
    const at = await api.at(header.hash);
    for (const [key, value] of await at.query.consensus.rounds.entries()) {
      const task = key.args[0].toNumber();
      const round = value.unwrap();
      if (!round.committee.some(([m]) => m.toString() === this.pair.address)) continue;
      let r = this.rounds.get(task);
      const lastCommitBlock = round.commitEnds.toNumber() - 1;
      const due = this.late.has(task) ? number + 2 >= lastCommitBlock : true;
      if (!r && due && number + 1 < round.commitEnds.toNumber()) {
        const order = (await at.query.tasks.committers(task)).map((a) => a.toString());
        // The handler of the next block may have committed meanwhile (handlers overlap).
        if (this.rounds.has(task)) continue;
        const strategy = this.strategy(task);
        const reports = manipulated(strategy, order, this);
        const salt = new Uint8Array(32).fill(task % 251);
        r = { reports, salt, strategy, revealed: false, txs: [] };
        this.rounds.set(task, r);
        this.sent.commits += 1;
        await this.fire(api.tx.consensus.commitScores(task, scoresCommitment(this.pair, task, reports, this.modelSet, salt)),
          r.txs, `commitScores ${this.name} (window to #${round.commitEnds.toNumber() - 1})`, number);
      } else if (r && !r.revealed && number + 1 >= round.commitEnds.toNumber() && number + 1 < round.revealEnds.toNumber()) {
        r.revealed = true;
        this.sent.reveals += 1;
        const reports = r.reports.map(([structure, semantic, alignment]) => ({ structure, semantic, alignment }));
        await this.fire(api.tx.consensus.revealScores(task, reports, this.modelSet, r.salt), r.txs, `revealScores ${this.name}`, number);
      }
    }
  }
}
