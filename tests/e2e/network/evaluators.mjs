// The evaluator-network scenario (`zombienet/run.sh test evaluators`): zombienet spawns
// zombienet/evaluators.toml (four validators, evaluator nodes eval1.. with the real model set);
// this client bonds an owner account for each evaluator node and puts its scoring key in that
// node's keystore, bonds two dishonest evaluators (tests/e2e/lib/attacker.mjs: a booster and a
// saboteur that report one vector every third task), and streams tasks across families from a
// load client (tests/e2e/lib/load.mjs) while the faults play:
//
//   1. a validator (dave) is killed and restarted a minute later: finality goes on with three of
//      four, and the restarted node catches up;
//   2. an honest evaluator node (eval2) is killed between its commitment and its reveal of a task
//      and restarted: it reveals from its persistent off-chain storage and is not slashed;
//   3. the dishonest evaluators cheat on every task.
//
// Then it asserts: every task settles, every pool balances to the unit, no honest evaluator is
// slashed, the attackers' trust ends below 0.3x the honest mean and their net reward below every
// honest one's, and finality never stalls (three of four validators are always up). It prints a
// table per evaluator and per task, the largest difference between the honest nodes' reports
// (float drift across machines) and the peak memory of the network.
//
// Options (environment): POQ_NET (network file, default `evaluators`, in zombienet/),
// POQ_NET_TASKS (default 30), POQ_NET_EVERY_S (seconds between tasks, default 12).
// Exits non-zero when an assertion fails; the network is stopped either way.

import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { LoadClient, quantile } from '../lib/load.mjs';
import { Attacker } from '../lib/attacker.mjs';
import { POQ, sendAll } from '../lib/poq.mjs';
import { waitFor } from '../lib/node.mjs';
import { dispatchErrorName } from '../lib/governance.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const zreq = createRequire(join(root, 'zombienet', 'package.json'));
const { start } = zreq('@zombienet/orchestrator');
const { readNetworkConfig } = zreq('@zombienet/utils');

const NET = process.env.POQ_NET || 'evaluators';
const TASKS = Number(process.env.POQ_NET_TASKS || 30);
const EVERY_S = Number(process.env.POQ_NET_EVERY_S || 12);
const VALIDATOR_DOWN_S = 60;
// The windows the scenario governs in (blocks; the runtime's defaults are answer 4, reveal 3,
// commit 4, score-reveal 4): seven nodes on two cores stall for a few blocks around a node's
// restart (wasm compilation, sync), and a window of 4 blocks was seen to close on every
// transaction sent in it (CI, stop 22).
const WINDOWS = { answer: 8, reveal: 4, commit: 8, scoreReveal: 5 };
const FINALITY_GAP_S = 60;

const log = (...a) => console.log('[evaluators]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const failures = [];
function check(ok, what) {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

/** Resident memory (kB) of every poq-node process of the network (its base paths are in `dir`). */
function networkRssKb(dir) {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd[0].endsWith('poq-node') || !cmd.some((a) => a.includes(dir))) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch { /* the process ended */ }
  }
  return total;
}

async function connect(uri) {
  return ApiPromise.create({ provider: new WsProvider(uri, 1000), noInitWarn: true, throwOnConnect: false });
}

async function main() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const config = readNetworkConfig(join(root, 'zombienet', `${NET}.toml`));
  log(`spawning ${NET}: ${config.relaychain.nodes.map((n) => n.name).join(', ')}`);
  const network = await start('', config, { spawnConcurrency: 4, logType: 'silent', force: true });
  let peakKb = 0;
  const sampler = setInterval(() => { peakKb = Math.max(peakKb, networkRssKb(network.tmpDir)); }, 2000);
  const apis = [];
  try {
    const uri = (name) => network.getNodeByName(name).wsUri;
    const api = await connect(uri('alice'));
    apis.push(api);
    await scenario(network, api, keyring, uri, apis);
  } finally {
    clearInterval(sampler);
    log(`peak resident memory of the network's nodes: ${(peakKb / 1024 / 1024).toFixed(2)} GiB`);
    for (const a of apis) await a.disconnect().catch(() => {});
    await network.stop().catch((e) => log(`stopping the network: ${e.message}`));
  }
}

/**
 * Widens the answer and commit windows to [`WINDOWS`] through governance (Alice is sudo on
 * `local4`): first the phases (the scoring phase holds the draw delay, both score windows and the
 * settlement block), then the consensus parameters.
 */
async function governWindows(api, keyring) {
  const alice = keyring.addFromUri('//Alice');
  const drawDelay = api.consts.consensus.drawDelay.toNumber();
  const scoring = drawDelay + WINDOWS.commit + WINDOWS.scoreReveal + 1;
  const params = { ...(await api.query.consensus.currentParams()).toJSON(), commitBlocks: WINDOWS.commit, revealBlocks: WINDOWS.scoreReveal };
  const calls = [
    api.tx.tasks.setPhaseLengths({ answer: WINDOWS.answer, reveal: WINDOWS.reveal, scoring }),
    api.tx.consensus.setParams(params),
  ];
  for (const call of calls) {
    const [events] = await sendAll(api, [[api.tx.sudo.sudo(call), alice]]);
    const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
    const result = sudid?.event.data.sudoResult;
    if (!result || result.isErr) {
      const err = result?.asErr;
      const name = err ? dispatchErrorName(api, err) : 'no Sudid event';
      throw new Error(`governing the windows: ${call.method.section}.${call.method.method} failed: ${name}`);
    }
  }
  log(`windows: answer ${WINDOWS.answer}, output reveal ${WINDOWS.reveal}, scoring ${scoring} (commit ${WINDOWS.commit}, reveal ${WINDOWS.scoreReveal}) blocks`);
}

/** Bonds the owners of the evaluator nodes, registers their scoring keys, bonds the attackers. */
async function setupEvaluators(api, keyring, uri, apis, evalNodes) {
  const alice = keyring.addFromUri('//Alice');
  const honest = evalNodes.map((node, i) => ({
    name: node,
    owner: keyring.addFromUri(`//Net//Eval${i + 1}`),
    key: keyring.addFromUri(`//Net//Eval${i + 1}//key`),
    suri: `//Net//Eval${i + 1}//key`,
  }));
  const attackers = [1, 2].map((i) => ({ name: `mallory${i}`, owner: keyring.addFromUri(`//Net//Mallory${i}`) }));
  await sendAll(api, [
    ...[...honest, ...attackers].map((e) => [api.tx.balances.transferKeepAlive(e.owner.address, 5_000n * POQ), alice]),
    ...honest.map((e) => [api.tx.balances.transferKeepAlive(e.key.address, 100n * POQ), alice]),
  ]);
  for (const e of honest) {
    const node = await connect(uri(e.name));
    apis.push(node);
    await node.rpc.author.insertKey('poqe', e.suri, u8aToHex(e.key.publicKey));
  }
  await sendAll(api, [...honest, ...attackers].map((e) => [api.tx.evaluators.bond(1_000n * POQ), e.owner]));
  await sendAll(api, [
    ...[...honest, ...attackers].map((e) => [api.tx.evaluators.activate(), e.owner]),
    ...honest.map((e) => [api.tx.evaluators.setScoringKey(e.key.address), e.owner]),
  ]);
  log(`bonded ${honest.length} evaluator nodes (${honest.map((e) => e.name).join(', ')}) with scoring keys, and 2 attackers`);
  return { honest, attackers };
}

/** Follows finality on `api`: every increase of the finalized head, with its time. */
async function followFinality(api) {
  const seen = [];
  const unsub = await api.rpc.chain.subscribeFinalizedHeads((h) => {
    seen.push({ n: h.number.toNumber(), t: Date.now() });
  });
  return { seen, stop: unsub };
}

/** The longest time (s) between increases of the finalized head within [from, to]. */
function longestFinalityGap(seen, from, to) {
  const times = [from, ...seen.filter((s) => s.t >= from && s.t <= to).map((s) => s.t), to];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap / 1000;
}

/** Kills dave, restarts it `VALIDATOR_DOWN_S` later and waits until it has caught up. */
async function validatorFault(network, api, uri, apis, events) {
  const node = network.getNodeByName('dave');
  events.validatorDown = Date.now();
  log('fault: validator dave killed');
  const restarted = node.restart(VALIDATOR_DOWN_S);
  await sleep(VALIDATOR_DOWN_S * 1000);
  await restarted;
  events.validatorUp = Date.now();
  const target = (await api.rpc.chain.getFinalizedHead().then((h) => api.rpc.chain.getHeader(h))).number.toNumber();
  log(`fault: validator dave restarted; the chain finalized #${target} meanwhile`);
  const dave = await connect(uri('dave'));
  apis.push(dave);
  await waitFor('dave to catch up', async () => {
    const f = await dave.rpc.chain.getFinalizedHead().then((h) => dave.rpc.chain.getHeader(h));
    return f.number.toNumber() >= target;
  }, { timeoutMs: 180_000, everyMs: 2000 });
  events.validatorCaughtUp = Date.now();
  log(`fault: dave caught up (finalized #${target} on its own) ${((events.validatorCaughtUp - events.validatorUp) / 1000).toFixed(0)} s after its restart`);
}

/**
 * Waits for eval2's commitment to `task` (the attackers commit to it late, so its reveal window
 * opens blocks later) and restarts the node before it can reveal.
 */
async function evaluatorFault(network, api, owner, task, events) {
  await waitFor(`eval2's commitment to task ${task}`, async () =>
    (await api.query.consensus.commits(task, owner.address)).isSome, { timeoutMs: 300_000, everyMs: 500 });
  const revealed = (await api.query.consensus.reveals(task, owner.address)).isSome;
  events.evalTask = task;
  events.evalRestartedBeforeReveal = !revealed;
  log(`fault: eval2 committed to task ${task}${revealed ? ' and already revealed' : ''}; killed and restarted`);
  await network.getNodeByName('eval2').restart(3);
  log('fault: eval2 is back');
}

async function scenario(network, api, keyring, uri, apis) {
  const evalNodes = Object.keys(network.nodesByName).filter((n) => n.startsWith('eval')).sort();
  await governWindows(api, keyring);
  const { honest, attackers } = await setupEvaluators(api, keyring, uri, apis, evalNodes);
  const load = new LoadClient(api, keyring, { providers: 6, users: 2, evaluator: null });
  await load.setup();
  const role = (r) => new Set(load.providers.filter((p) => p.role === r).map((p) => p.pair.address));
  const [friends, victims] = [role('wrong'), role('good')];
  // Mallory1 boosts the fluent wrong answers, Mallory2 sabotages the right ones; every third
  // task they collude and report one boosting vector.
  const strategies = [(t) => 'boost', (t) => (t % 3 === 0 ? 'boost' : 'sabotage')];
  const clients = attackers.map((a, i) => new Attacker(api, a.owner, { name: a.name, strategy: strategies[i], friends, victims }));
  for (const c of clients) await c.start();
  await load.start();
  const finality = await followFinality(api);
  const events = {};
  const streamStart = Date.now();
  log(`streaming ${TASKS} tasks, one every ${EVERY_S} s`);

  const faults = [];
  const posted = [];
  for (let k = 0; k < TASKS; k++) {
    const next = streamStart + k * EVERY_S * 1000;
    await sleep(Math.max(0, next - Date.now()));
    const [task] = await load.post(1, { perTask: 3, committeeSize: null, bounty: 20n * POQ });
    if (task === undefined) { log(`task ${k} was refused`); continue; }
    posted.push(task);
    if (k === 4) faults.push(validatorFault(network, api, uri, apis, events));
    if (k === Math.floor(TASKS * 0.6)) {
      for (const c of clients) c.late.add(task);
      faults.push(evaluatorFault(network, api, honest[1].owner, task, events));
    }
  }
  await Promise.all(faults);
  await load.drain(600_000);
  const streamEnd = Date.now();
  finality.stop();
  load.stop();
  for (const c of clients) c.stop();

  const rows = await report(api, { load, posted, honest, attackers, clients, events, finality, streamStart, streamEnd });
  diagnose(network, { load, clients, rows, evalNodes });
}

/** The inclusion delays (blocks) and fates of the traced transactions `txs`. */
function inclusion(txs) {
  const delays = txs.filter((t) => typeof t.inBlockAt === 'number' && t.sentAt !== undefined).map((t) => t.inBlockAt - t.sentAt);
  const fates = {};
  for (const t of txs) if (t.fate) fates[t.fate] = (fates[t.fate] || 0) + 1;
  const pending = txs.filter((t) => t.inBlockAt === undefined && !t.fate).length;
  return `${txs.length} sent, inclusion delay p50 ${quantile(delays, 0.5)}, p95 ${quantile(delays, 0.95)}, max ${delays.length ? Math.max(...delays) : '-'} blocks; never included ${pending}; ${JSON.stringify(fates)}`;
}

/**
 * Prints how the clients' transactions fared and, for every task that did not settle or was
 * scored by nobody, its transactions and the evaluator nodes' log lines about it, and the
 * blocks the first validator imported meanwhile (from the nodes' logs in the network's folder).
 */
function diagnose(network, { load, clients, rows, evalNodes }) {
  const loadTxs = [...load.tasks.values()].flatMap((r) => r.txs || []);
  const attackerTxs = clients.flatMap((c) => [...c.rounds.values()].flatMap((r) => r.txs));
  log(`providers' transactions: ${inclusion(loadTxs)}`);
  log(`attackers' transactions: ${inclusion(attackerTxs)}`);
  const readLog = (name) => {
    try { return readFileSync(join(network.tmpDir, `${name}.log`), 'utf8').split('\n'); } catch { return []; }
  };
  const show = (t) => `${t.what}: sent at #${t.sentAt ?? '?'}, ${typeof t.inBlockAt === 'number' ? `in block #${t.inBlockAt}` : 'never in a block'}${t.retracted ? ` (retracted ${t.retracted}x by a fork before)` : ''}${t.fate ? `, ${t.fate}` : ''}`;
  const troubled = rows.filter(({ result }) => !result || !result.evaluators.some((e) => e.conduct.type === 'Revealed'));
  for (const { task, rec, result } of troubled) {
    log(`task ${task} ${result ? 'was scored by nobody' : 'did not settle'} (posted at #${rec?.includedAt}, answers until #${rec?.answerEnds}${rec?.expiredAt ? `, expired at #${rec.expiredAt}` : ''}):`);
    for (const t of rec?.txs || []) log(`  ${show(t)}`);
    for (const c of clients) for (const t of c.rounds.get(task)?.txs || []) log(`  ${show(t)}`);
    for (const name of evalNodes) {
      for (const line of readLog(name).filter((l) => l.includes(`task ${task}:`))) log(`  ${name}: ${line.trim()}`);
    }
    if (rec?.includedAt !== undefined) {
      const from = rec.includedAt;
      for (const line of readLog('alice')) {
        const m = /(?:Imported #|proposing at |proposal at )(\d+)/.exec(line);
        if (m && Number(m[1]) >= from && Number(m[1]) < from + 16) log(`  alice: ${line.trim()}`);
      }
    }
  }
}

async function report(api, { load, posted, honest, attackers, clients, events, finality, streamStart, streamEnd }) {
  const everyone = [...honest.map((e) => ({ ...e, honest: true })), ...attackers.map((e) => ({ ...e, honest: false }))];
  const byAddress = new Map(everyone.map((e) => [e.owner.address, e]));
  const stats = new Map(everyone.map((e) => [e.owner.address, { conduct: {}, reward: 0n, slashed: 0n }]));
  const rows = [];
  let balanced = 0;
  let drift = 0;
  let evalTaskConduct = null;
  for (const task of posted) {
    const rec = load.tasks.get(task);
    const r = await api.call.consensusApi.taskResult(task);
    if (r.isNone) { rows.push({ task, rec, result: null }); continue; }
    const result = r.unwrap();
    const paid = [...result.outputs, ...result.evaluators].reduce((a, x) => a + x.reward.toBigInt(), 0n);
    if (paid + result.refunded.toBigInt() === result.pool.toBigInt()) balanced += 1;
    for (const e of result.evaluators) {
      const s = stats.get(e.who.toString());
      if (!s) continue;
      s.conduct[e.conduct.type] = (s.conduct[e.conduct.type] || 0) + 1;
      s.reward += e.reward.toBigInt();
      s.slashed += e.slashed.toBigInt();
      if (task === events.evalTask && e.who.toString() === honest[1].owner.address) evalTaskConduct = e.conduct.type;
    }
    // Float drift across machines: the honest nodes' reports of the same outputs.
    const settled = await api.query.consensus.settledReports(task);
    if (settled.isSome) {
      const reps = settled.unwrap().reports.filter(([who]) => byAddress.get(who.toString())?.honest).map(([, r]) => r);
      for (let i = 1; i < reps.length; i++) {
        reps[i].forEach((rep, o) => ['structure', 'semantic', 'alignment'].forEach((d) => {
          drift = Math.max(drift, Math.abs(rep[d].toNumber() - reps[0][o][d].toNumber()));
        }));
      }
    }
    rows.push({ task, rec, result });
  }

  // Per task.
  console.log('\n| task | family | posted at | settled at | latency (blocks) | valid reveals | refunded POQ |\n|---|---|---|---|---|---|---|');
  for (const { task, rec, result } of rows) {
    const lat = rec && rec.settledAt !== undefined ? rec.settledAt - rec.includedAt : '-';
    console.log(`| ${task} | ${rec?.q.family ?? '?'} | ${rec?.includedAt ?? '-'} | ${rec?.settledAt ?? '-'} | ${lat} | ${rec?.settledAt !== undefined ? rec.revealed : '-'} | ${result ? (Number(result.refunded.toBigInt()) / Number(POQ)).toFixed(3) : '-'} |`);
  }
  // Per evaluator.
  const trust = new Map();
  for (const e of everyone) {
    const t = await api.call.consensusApi.trust(e.owner.address);
    trust.set(e.owner.address, t.isSome ? t.unwrap().toNumber() / 1e9 : 0);
  }
  const kinds = ['Revealed', 'Silent', 'NoReveal', 'BadReveal', 'UnacceptedModelSet'];
  console.log(`\n| evaluator | kind | ${kinds.join(' | ')} | trust | reward POQ | slashed POQ | net POQ |\n|---|---|${kinds.map(() => '---').join('|')}|---|---|---|---|`);
  const net = (a) => stats.get(a).reward - stats.get(a).slashed;
  const poq = (x) => (Number(x) / Number(POQ)).toFixed(3);
  for (const e of everyone) {
    const s = stats.get(e.owner.address);
    console.log(`| ${e.name} | ${e.honest ? 'honest node' : 'attacker client'} | ${kinds.map((k) => s.conduct[k] || 0).join(' | ')} | ${(trust.get(e.owner.address) * 100).toFixed(1)}% | ${poq(s.reward)} | ${poq(s.slashed)} | ${poq(net(e.owner.address))} |`);
  }
  const summary = load.report(posted);
  const lat = rows.filter((r) => r.rec?.settledAt !== undefined).map((r) => r.rec.settledAt - r.rec.includedAt);
  console.log('');
  log(`latency to settlement: p50 ${quantile(lat, 0.5)}, p95 ${quantile(lat, 0.95)}, max ${Math.max(...lat)} blocks; refusals ${JSON.stringify(summary.refused)}`);
  log(`float drift across the honest nodes: at most ${drift} parts per million (tolerance floor: ${(await api.query.consensus.currentParams()).tolerance.min.toNumber()} ppm)`);
  const gap = longestFinalityGap(finality.seen, streamStart, streamEnd);
  const downGap = events.validatorDown ? longestFinalityGap(finality.seen, events.validatorDown, events.validatorUp) : null;
  log(`finality: longest stall ${gap.toFixed(0)} s over the run, ${downGap === null ? '-' : downGap.toFixed(0)} s while dave was down`);
  log(`attackers' clients: ${clients.map((c) => `${c.name} ${c.sent.commits} commits, ${c.sent.reveals} reveals`).join('; ')}`);

  const honestTrust = honest.map((e) => trust.get(e.owner.address));
  const meanHonest = honestTrust.reduce((a, b) => a + b, 0) / honestTrust.length;
  const minHonestNet = honest.map((e) => net(e.owner.address)).reduce((a, b) => (b < a ? b : a));
  check(posted.length >= 30 || posted.length === TASKS, `${posted.length} tasks posted across families`);
  check(rows.every((r) => r.result !== null), `every task settled (${rows.filter((r) => r.result).length}/${rows.length})`);
  check(balanced === rows.length, `every pool balances to the unit (${balanced}/${rows.length})`);
  check(honest.every((e) => stats.get(e.owner.address).slashed === 0n), 'no honest evaluator was slashed');
  // The attack was played: a client that cannot commit (a broken commitment) would make every
  // check below pass for the wrong reason.
  check(attackers.every((e) => (stats.get(e.owner.address).conduct.Revealed || 0) >= 10),
    `the attackers revealed manipulated scores (${attackers.map((e) => stats.get(e.owner.address).conduct.Revealed || 0).join(', ')} tasks; at least 10 each)`);
  check(attackers.every((e) => trust.get(e.owner.address) < 0.3 * meanHonest),
    `attackers' trust (${attackers.map((e) => (trust.get(e.owner.address) * 100).toFixed(1) + '%').join(', ')}) below 0.3x the honest mean (${(meanHonest * 100).toFixed(1)}%)`);
  check(attackers.every((e) => net(e.owner.address) < minHonestNet), `attackers' net reward below every honest evaluator's (lowest honest ${poq(minHonestNet)} POQ)`);
  check(events.validatorCaughtUp !== undefined, 'the restarted validator caught up');
  check(gap <= FINALITY_GAP_S, `finality never stalled for more than ${FINALITY_GAP_S} s (three of four validators were always up)`);
  check(events.evalRestartedBeforeReveal === true && evalTaskConduct === 'Revealed',
    `eval2, restarted between its commitment and its reveal of task ${events.evalTask}, revealed after the restart (${evalTaskConduct})`);
  return rows;
}

main().then(() => {
  if (failures.length) {
    log(`${failures.length} assertion(s) failed`);
    process.exit(1);
  }
  log('all assertions hold');
  process.exit(0);
}).catch((e) => {
  console.error('[evaluators] scenario failed:', e.stack || e.message);
  process.exit(1);
});
