// The network's own software against a real dev chain whose node evaluates: README command 1's
// demo (`poq-provider` daemons answering from the canned OpenAI-compatible server, `poq`
// posting and printing), a provider killed between its commitment and its reveal, and
// endpoints that fail.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, freePort, waitFor } from './lib/node.mjs';
import { startStub } from './lib/openai-stub.mjs';
import { ProviderProcess, poq } from './lib/provider.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let node;
let url;
let stub;
let keyring;
const daemons = [];

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  node = await startNode(['--dev']);
  url = `ws://127.0.0.1:${node.rpcPort}`;
  stub = await startStub();
});

after(async () => {
  for (const d of daemons) await d.stop();
  if (stub) await stub.close();
  if (node) await node.stop();
});

function daemon(uri, kind, extra = [], endpoint = stub.url) {
  const d = new ProviderProcess(['--url', url, '--suri', uri, '--model', 'good-model@1', '--cost', '1',
    '--endpoint', endpoint, '--endpoint-model', kind, ...extra]);
  daemons.push(d);
  return d;
}

async function submit(query, extra = []) {
  const r = await poq(['--url', url, '--json', 'submit', '--suri', '//Ferdie', '--family', 'qa', '--query', query,
    '--reference', 'Mercury is the planet closest to the Sun.', '--bounty', '10', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).task;
}

test('README command 1: the demo posts with poq, poq-provider daemons answer, poq result prints the tables', async () => {
  const out = await new Promise((resolve, reject) => {
    const child = spawn('bash', [join(root, 'scripts', 'demo.sh'), '--url', url], { cwd: root });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 420_000);
    child.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve(text) : reject(new Error(`demo.sh exited ${code}:\n${text}`)); });
  });
  console.log(out);
  const pools = out.split('\n').filter((l) => /^\| \d+ \| .*#\d+ \|$/.test(l));
  assert.equal(pools.length, 5, `five settled tasks:\n${out}`);
  const rows = (model) => out.split('\n').filter((l) => l.includes(`| ${model} (`) && /\| [\d.]+ \|$/.test(l));
  for (const model of ['good-model@1', 'wrong-model@1', 'offtopic-model@1', 'degenerate-model@1']) {
    assert.equal(rows(model).length, 5, `${model} answered all five`);
  }
  // The correct answer wins the tasks with a reference or tests (QA and code).
  const [qa, , code] = pools;
  assert.match(qa, /\| good-model@1 /, qa);
  assert.match(code, /\| good-model@1 /, code);
  // QA without a reference: the correct answer earns something, off topic and the loop nothing.
  const paid = (model) => Number(rows(model).find((l) => l.includes('| Qa |') && !l.startsWith(`| ${qa.split(' ')[1]} `)).split('|').at(-2));
  assert.ok(paid('good-model@1') > 0, `the correct answer without a reference is paid:\n${out}`);
  assert.equal(paid('offtopic-model@1') + paid('degenerate-model@1'), 0, `off topic and loop unpaid:\n${out}`);
});

test('a provider killed between its commitment and its reveal reveals after a restart', async () => {
  const p = daemon('//Alice//stash', 'good');
  await p.start();
  // Two outputs wanted and one provider: the answer phase runs its full length.
  const task = await submit('Which planet is closest to the Sun?', ['--max-outputs', '2']);
  await p.waitLog(new RegExp(`task ${task}: committed`), 60_000);
  await p.kill('SIGKILL');
  const who = keyring.addFromUri('//Alice//stash').address;
  const entry = (await node.api.query.tasks.outputs(task, who)).unwrap();
  assert.ok(entry.outputHash.isNone, 'committed, not revealed, when killed');
  await p.start();
  await p.waitLog(/resuming 1 saved output/, 10_000);
  await p.waitLog(new RegExp(`task ${task}: revealed`), 90_000);
  const r = await poq(['--url', url, '--json', 'result', String(task), '--wait', '240']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const mine = result.outputs.find((o) => o.provider === who);
  assert.ok(mine, 'the restarted provider\'s output was scored');
  assert.ok(mine.composite > 0, `composite ${mine.composite}`);
  await p.waitLog(new RegExp(`task ${task}: settled, reward`), 60_000);
  const m = await p.metrics();
  assert.equal(m.poq_provider_revealed_total, 1);
  await p.stop();
});

test('an endpoint that fails, times out or answers garbage: the task is skipped with a log line and a metric, nothing is committed', async () => {
  const closed = await freePort();
  const cases = [
    { uri: '//Bob//stash', kind: 'fail', reason: 'endpoint_status' },
    { uri: '//Charlie//stash', kind: 'garbage', reason: 'endpoint_garbage' },
    { uri: '//Dave//stash', kind: 'slow', reason: 'endpoint_unreachable', extra: ['--timeout', '2'] },
    { uri: '//Eve//stash', kind: 'good', reason: 'endpoint_unreachable', endpoint: `http://127.0.0.1:${closed}/v1` },
  ];
  await Promise.all(cases.map((c) => {
    c.daemon = daemon(c.uri, c.kind, c.extra ?? [], c.endpoint);
    return c.daemon.start();
  }));
  const task = await submit('What is the boiling point of water at sea level?');
  for (const c of cases) {
    const line = await c.daemon.waitLog(new RegExp(`task ${task}: skipped`), 60_000);
    assert.match(line, /endpoint/, line);
    const m = await c.daemon.metrics();
    assert.equal(m[`poq_provider_skipped_total{reason="${c.reason}"}`], 1, `${c.kind}: ${JSON.stringify(m)}`);
    assert.equal(m.poq_provider_committed_total, 0);
  }
  const info = (await node.api.query.tasks.tasks(task)).unwrap();
  assert.equal(info.commits.toNumber(), 0, 'nothing committed');
  for (const c of cases) {
    const who = keyring.addFromUri(c.uri).address;
    assert.ok((await node.api.query.tasks.outputs(task, who)).isNone, `${c.kind}: no commitment`);
  }
  // The daemons keep running after the failures.
  await waitFor('the daemons to stay up', async () => cases.every((c) => !c.daemon.exited), { timeoutMs: 2_000 });
});

test('bad input to poq and poq-provider: one line on standard error, exit status 1 (2 for a usage error), nothing sent', async () => {
  const { execFile } = await import('node:child_process');
  const { clientBinary } = await import('./lib/provider.mjs');
  const run = (bin, args) => new Promise((resolve) => execFile(clientBinary(bin), args, { timeout: 60_000 },
    (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr })));
  const cases = [
    ['poq', ['--url', url, 'submit', '--suri', '//Ferdie', '--family', 'poetry', '--query', 'x'], /unknown family 'poetry'/],
    ['poq', ['--url', url, 'submit', '--suri', '//Ferdie', '--family', 'qa', '--query', 'x', '--bounty', 'lots'], /--bounty 'lots' is not an amount/],
    ['poq', ['--url', url, 'submit', '--suri', '//Ferdie', '--family', 'qa', '--query', 'x', '--bounty', '0.5'], /BountyTooLow/],
    ['poq', ['--url', url, 'result', '999999'], /task 999999 has no result/],
    ['poq', ['--url', url, 'provider', 'not-an-address'], /is not an SS58 address/],
    ['poq', ['--url', 'ws://127.0.0.1:1', 'leaderboard'], /cannot connect to a node at ws:\/\/127.0.0.1:1/],
    ['poq-provider', ['--url', url, '--suri', '//Ferdie', '--model', 'good-model@1', '--endpoint', 'ftp://x'], /is not an http:\/\/ or https:\/\/ URL/],
    ['poq-provider', ['--url', url, '--suri', '//Ferdie', '--endpoint', stub.url], /--model NAME@VERSION is required/],
    ['poq-provider', ['--url', url, '--suri', '//Ferdie', '--model', 'good-model@1', '--endpoint', stub.url, '--temprature', '1'], /unexpected argument '--temprature'/, 2],
    ['poq', ['--url', url, 'sumbit'], /unrecognized subcommand 'sumbit'/, 2],
    ['poq-provider', ['--url', url, '--suri', '//Ferdie', '--model', 'no-such-model@9', '--endpoint', stub.url, '--state-dir', '/tmp/poq-bad-model'], /register_provider failed: .*Model/],
  ];
  for (const [bin, args, re, code = 1] of cases) {
    const r = await run(bin, args);
    assert.equal(r.code, code, `${bin} ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('['));
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], re);
  }
  // Ferdie registered nothing.
  assert.ok((await node.api.query.tasks.providers(keyring.addFromUri('//Ferdie').address)).isNone);
});
