// A load client for the dev chain: users post queries (one at a time, at a steady rate, or in
// bursts), prompt inference nodes answer every query in the first block they can (commit on
// `QuerySubmitted`, reveal on `AnswerClosed`), and the node's evaluator scores them. It records,
// per query, when it was sent, the block that included it and the block that settled it; per
// block, the weight used; and counts every refusal by its error. Shared by the latency e2e test
// and the load benchmark (`scripts/load.sh`).

import { POQ, QUERIES, PROVIDERS as ROLES, prepare, sendAll } from './poq.mjs';
import { outputCommitment } from './commitments.mjs';
import { waitFor } from './node.mjs';
import { dispatchErrorName } from './governance.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SALT = new Uint8Array(32).fill(5);

function commitment(pair, task, output) {
  return outputCommitment(pair, task, output, SALT);
}

/** The `p`-th quantile (0..1) of `xs` (nearest rank), or null when empty. */
export function quantile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

const errorName = dispatchErrorName;

export class LoadClient {
  /**
   * `providers` inference nodes (dev-derived accounts `//Load/Provider/i`, funded by Alice),
   * `users` accounts that post; `perTask` providers answer each query (rotating). `evaluator`:
   * the dev account `setup` makes an evaluator (the dev chain's own node scores), or null for a
   * network whose evaluators bond by themselves.
   */
  constructor(api, keyring, { providers = 8, users = 1, evaluator = '//Alice' } = {}) {
    this.evaluator = evaluator;
    this.api = api;
    this.keyring = keyring;
    this.providers = Array.from({ length: providers }, (_, i) => {
      const role = ROLES[i % ROLES.length];
      return { ...role, pair: keyring.addFromUri(`//Load/Provider/${i}`), nonce: 0 };
    });
    this.users = Array.from({ length: users }, (_, i) => ({ pair: keyring.addFromUri(`//Load/User/${i}`), nonce: 0 }));
    this.tasks = new Map(); // task -> record
    this.refused = new Map(); // error -> count
    this.blocks = []; // { number, normal, mandatory } in % of the block's ref time
    this.afterBlock = []; // { after, run }: run once a block above `after` is seen
    this.queryCount = 0;
    this.unsub = null;
    this.maxRefTime = null;
  }

  refuse(why) {
    this.refused.set(why, (this.refused.get(why) || 0) + 1);
  }

  /** Funds and registers the providers, funds the users, makes the evaluator one (Alice). */
  async setup() {
    const { api, keyring } = this;
    await prepare(api, keyring, this.evaluator);
    const alice = keyring.addFromUri('//Alice');
    // Providers hold a registration deposit and 1 POQ per open output; users hold bounties.
    const fund = [
      ...this.providers.map((a) => [api.tx.balances.transferKeepAlive(a.pair.address, 2_000n * POQ), alice]),
      ...this.users.map((a) => [api.tx.balances.transferKeepAlive(a.pair.address, 50_000n * POQ), alice]),
    ];
    await sendAll(api, fund);
    const reg = [];
    for (const p of this.providers) {
      if ((await api.query.tasks.providers(p.pair.address)).isNone) {
        reg.push([api.tx.tasks.registerProvider(p.model, p.cost), p.pair]);
      }
    }
    await sendAll(api, reg);
    // The nonces from the best block once it holds the registrations: the pool's
    // `accountNextIndex` can lag behind a block just included (seen as "Transaction is
    // outdated" on the providers' first commitments).
    await waitFor('the providers registered in the best block', async () => {
      for (const p of this.providers) if ((await api.query.tasks.providers(p.pair.address)).isNone) return false;
      return true;
    }, { timeoutMs: 120_000, everyMs: 500 });
    for (const a of [...this.providers, ...this.users]) {
      const chain = (await api.query.system.account(a.pair.address)).nonce.toNumber();
      a.nonce = Math.max(chain, (await api.rpc.system.accountNextIndex(a.pair.address)).toNumber());
    }
    this.maxRefTime = api.consts.system.blockWeights.maxBlock.refTime.toBigInt();
  }

  /**
   * Sends `tx` from account `a` (its own nonce), without waiting; counts a pool refusal. With
   * `trace` (an array), follows the transaction and pushes `{ what, sentAt, inBlockAt, fate, retracted }`
   * (block numbers as this client saw its head; `fate` a pool status such as `Dropped`), and
   * calls `onFailed(error)` (an error name such as `tasks.TaskNotFound`) each time a block
   * includes it and its dispatch fails (again after a fork retracted it).
   */
  fire(tx, a, trace = null, what = '', onFailed = null) {
    const nonce = a.nonce++;
    if (!trace) {
      tx.signAndSend(a.pair, { nonce }).catch((e) => this.refuse(`pool: ${e.message.split(':')[0]}`));
      return;
    }
    const rec = { what, sentAt: this.head };
    trace.push(rec);
    // Every inclusion counts, not only the first: a block that loses a fork retracts the
    // transaction, which lands again in the winning chain, where it may fail where it had not
    // (a commitment before its query: `tasks.TaskNotFound`), and the caller must hear of it.
    tx.signAndSend(a.pair, { nonce }, ({ status, dispatchError }) => {
      if (status.isInBlock) {
        const hash = status.asInBlock.toHex();
        if (rec.inBlockHash === hash) return;
        if (rec.inBlockHash !== undefined) rec.reincluded = (rec.reincluded ?? 0) + 1;
        rec.inBlockHash = hash;
        rec.inBlockAt = null;
        this.api.rpc.chain.getHeader(status.asInBlock).then((h) => { rec.inBlockAt = h.number.toNumber(); }).catch(() => {});
        rec.fate = dispatchError ? `failed: ${errorName(this.api, dispatchError)}` : undefined;
        if (dispatchError && onFailed) onFailed(errorName(this.api, dispatchError));
      } else if (status.isRetracted) {
        rec.retracted = (rec.retracted ?? 0) + 1;
      } else if (status.isDropped || status.isInvalid || status.isUsurped) rec.fate = status.type;
    }).catch((e) => {
      rec.fate = `refused: ${e.message.split(':')[0]}`;
      this.refuse(`pool: ${e.message.split(':')[0]}`);
      if (onFailed && /outdated/.test(e.message)) {
        // A nonce the chain has used already: take the chain's and let the caller resend.
        this.api.query.system.account(a.pair.address).then((acc) => {
          a.nonce = Math.max(a.nonce, acc.nonce.toNumber());
          onFailed('outdated');
        }).catch(() => {});
      }
    });
  }

  /** Follows every new block: answers, settlements, refusals, weights. */
  async start() {
    const { api } = this;
    this.unsub = await api.rpc.chain.subscribeNewHeads((header) => {
      this.onBlock(header).catch((e) => console.error(`[load] block ${header.number}: ${e.message}`));
    });
  }

  async onBlock(header) {
    const { api } = this;
    const number = header.number.toNumber();
    this.head = Math.max(this.head ?? 0, number);
    const at = await api.at(header.hash);
    const [events, weight] = await Promise.all([at.query.system.events(), at.query.system.blockWeight()]);
    const pct = (w) => Number((w.refTime.toBigInt() * 10_000n) / this.maxRefTime) / 100;
    this.blocks.push({ number, normal: pct(weight.normal), mandatory: pct(weight.mandatory) });
    const seen = Date.now();
    for (const { event } of events) {
      if (api.events.tasks.AnswerClosed.is(event)) {
        this.reveal(event.data.task.toNumber());
      } else if (api.events.tasks.QuerySubmitted.is(event)) {
        const task = event.data.task.toNumber();
        const r = this.tasks.get(task);
        if (r) r.answerEnds = event.data.answerEnds.toNumber();
      } else if (api.events.consensus.TaskScored.is(event)) {
        const r = this.tasks.get(event.data.task.toNumber());
        if (r && r.settledAt === undefined) {
          const revealed = event.data.evaluators.filter((e) => e.conduct.type === 'Revealed').length;
          Object.assign(r, { settledAt: number, settledMs: seen, revealed });
        }
      } else if (api.events.tasks.TaskExpired.is(event)) {
        const r = this.tasks.get(event.data.task.toNumber());
        if (r) r.expiredAt = number;
      } else if (api.events.system.ExtrinsicFailed.is(event)) {
        this.refuse(errorName(api, event.data.dispatchError));
      }
    }
    const due = this.afterBlock.filter((w) => number > w.after);
    this.afterBlock = this.afterBlock.filter((w) => number <= w.after);
    for (const w of due) w.run().catch((e) => console.error(`[load] block ${number}: ${e.message}`));
    // Answer windows that ended without all commitments (some refused): reveal what was sent.
    for (const [task, r] of this.tasks) {
      if (!r.outputsRevealed && r.answerEnds !== undefined && number + 1 >= r.answerEnds) this.reveal(task);
    }
  }

  /** The `perTask` providers of the `k`-th query and the output each gives. */
  answersFor(k, query, perTask) {
    const n = this.providers.length;
    return Array.from({ length: perTask }, (_, j) => {
      const p = this.providers[(k * perTask + j) % n];
      return { p, output: `${query.answers[p.role]} (${p.pair.address.slice(0, 4)})` };
    });
  }

  /**
   * Posts `n` queries at once (one burst), each answered by `perTask` providers (its
   * `maxOutputs`) and scored by a committee of `committeeSize` (null: the governed default);
   * resolves with the tasks once every query is included or refused.
   */
  async post(n, { perTask = Math.min(8, this.providers.length), bounty = 5n * POQ, committeeSize = 1 } = {}) {
    const { api } = this;
    const sent = [];
    for (let i = 0; i < n; i++) {
      const k = this.queryCount++;
      const q = QUERIES[k % QUERIES.length];
      const user = this.users[k % this.users.length];
      const tx = api.tx.tasks.submitQuery(q.family, `${q.query} [${k}]`, q.reference, bounty,
        { maxOutputs: perTask, committeeSize });
      const nonce = user.nonce++;
      const sentMs = Date.now();
      sent.push(new Promise((resolve) => {
        let done = false;
        tx.signAndSend(user.pair, { nonce }, ({ status, events, dispatchError }) => {
          if (done) return;
          if (status.isInBlock || status.isFinalized) {
            done = true;
            if (dispatchError) {
              this.refuse(errorName(api, dispatchError));
              resolve(null);
              return;
            }
            const ev = events.find(({ event }) => api.events.tasks.QuerySubmitted.is(event));
            const task = ev.event.data.task.toNumber();
            api.rpc.chain.getHeader(status.asInBlock).then((h) => {
              const r = { k, q, perTask, sentMs, includedAt: h.number.toNumber(), answerEnds: ev.event.data.answerEnds.toNumber() };
              this.tasks.set(task, r);
              this.commit(task, r);
              resolve(task);
            });
          } else if (status.isInvalid || status.isDropped || status.isUsurped) {
            done = true;
            this.refuse(`pool: ${status.type}`);
            resolve(null);
          }
        }).catch((e) => { done = true; this.refuse(`pool: ${e.message.split(':')[0]}`); resolve(null); });
      }));
    }
    return (await Promise.all(sent)).filter((t) => t !== null);
  }

  /**
   * Commits the outputs of `task` (record `r`). The client commits once it sees the query in a
   * block; when that block lost a fork, the commitment can land in the winning block before the
   * query itself (`tasks.TaskNotFound`); and a nonce can turn out used (`outdated`): the
   * provider then commits once more, as a provider's client watching its transactions would.
   */
  commit(task, r) {
    r.answers = this.answersFor(r.k, r.q, r.perTask);
    r.txs = [];
    for (const { p, output } of r.answers) {
      // At most one resend per output, however often the first transaction is re-included.
      let resent = false;
      const send = (again) => this.fire(this.api.tx.tasks.commitOutput(task, commitment(p.pair, task, output)), p, r.txs,
        `commitOutput ${p.pair.address.slice(0, 6)}${again ? ' (again)' : ''}`,
        (error) => {
          if (!again && !resent && (error === 'tasks.TaskNotFound' || error === 'outdated')) {
            resent = true;
            send(true);
          }
        });
      send(false);
    }
  }

  reveal(task) {
    const r = this.tasks.get(task);
    if (!r || r.outputsRevealed || !r.answers) return;
    r.outputsRevealed = true;
    for (const { p, output } of r.answers) this.revealOne(task, r, p, output, false);
  }

  /**
   * Sends `p`'s reveal of `task`. The client reveals in the block before the answer phase
   * ends; after a fork the reveal can land in a block of that same height on the winning
   * chain, where the phase is still `Answer` (`tasks.WrongPhase`), or before the admission
   * draw (`tasks.AdmissionPending`). The provider then looks at the chain once a higher block
   * is in and, when its output is still unrevealed, reveals once more, as a provider's client
   * watching its transactions would.
   */
  revealOne(task, r, p, output, again) {
    let resent = false;
    this.fire(this.api.tx.tasks.revealOutput(task, output, SALT), p, r.txs,
      `revealOutput ${p.pair.address.slice(0, 6)}${again ? ' (again)' : ''}`,
      (error) => {
        if (again || resent || (error !== 'tasks.WrongPhase' && error !== 'tasks.AdmissionPending')) return;
        resent = true;
        this.afterBlock.push({
          after: this.head,
          run: async () => {
            const entry = await this.api.query.tasks.outputs(task, p.pair.address);
            if (entry.isSome && entry.unwrap().outputHash.isNone) this.revealOne(task, r, p, output, true);
          },
        });
      });
  }

  /** Posts one query every `3600 / perHour` seconds for `seconds` (options as `post`). */
  async steady(perHour, seconds, options = {}) {
    const every = 3_600_000 / perHour;
    const end = Date.now() + seconds * 1000;
    const posted = [];
    for (let next = Date.now(); next < end; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      posted.push(this.post(1, options));
    }
    return (await Promise.all(posted)).flat();
  }

  /** Waits until every posted task settled or expired (or `timeoutMs`). */
  async drain(timeoutMs = 600_000) {
    await waitFor('every task to settle', async () =>
      [...this.tasks.values()].every((r) => r.settledAt !== undefined || r.expiredAt !== undefined), { timeoutMs, everyMs: 1000 })
      .catch(() => {});
  }

  /** Figures of the tasks in `tasks` (all when omitted). */
  report(tasks = [...this.tasks.keys()]) {
    const rs = tasks.map((t) => this.tasks.get(t)).filter(Boolean);
    const settled = rs.filter((r) => r.settledAt !== undefined);
    const blocks = settled.map((r) => r.settledAt - r.includedAt);
    const secs = settled.map((r) => (r.settledMs - r.sentMs) / 1000);
    const first = Math.min(...rs.map((r) => r.includedAt));
    const last = Math.max(...settled.map((r) => r.settledAt), first);
    const window = this.blocks.filter((b) => b.number >= first && b.number <= last);
    const r2 = (x) => (x === null ? null : Math.round(x * 100) / 100);
    const max = (xs) => (xs.length ? r2(Math.max(...xs)) : null);
    const mean = (xs) => (xs.length ? r2(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
    return {
      accepted: rs.length,
      refused: Object.fromEntries(this.refused),
      settled: settled.length,
      // Settled with at least one valid reveal: scored, not only closed.
      scored: settled.filter((r) => r.revealed > 0).length,
      expired: rs.filter((r) => r.expiredAt !== undefined).length,
      latencyBlocks: { p50: quantile(blocks, 0.5), p95: quantile(blocks, 0.95), max: max(blocks) },
      latencySeconds: { p50: quantile(secs, 0.5), p95: quantile(secs, 0.95), max: max(secs) },
      blockWeightPct: {
        totalMax: max(window.map((b) => b.normal + b.mandatory)),
        normalMax: max(window.map((b) => b.normal)),
        hooksMax: max(window.map((b) => b.mandatory)),
        totalMean: mean(window.map((b) => b.normal + b.mandatory)),
      },
      blocks: window.length,
    };
  }

  stop() {
    if (this.unsub) this.unsub();
  }
}
