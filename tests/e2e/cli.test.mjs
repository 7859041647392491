// The node reports a wrong flag or a bad chain spec in one readable line, and exits non-zero.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBinary } from './lib/node.mjs';

function run(args) {
  // A chain spec embeds the runtime wasm: several MiB of output.
  const r = spawnSync(nodeBinary(), args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  const errLines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  return { status: r.status, errLines, stdout: r.stdout };
}

test('an unknown flag gives one readable error line', () => {
  const { status, errLines } = run(['--no-such-flag']);
  assert.notEqual(status, 0);
  assert.equal(errLines.length, 1, `stderr: ${errLines.join(' | ')}`);
  assert.match(errLines[0], /^Error: .*--no-such-flag/);
});

test('a chain spec that does not exist gives one readable error line', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'poq-cli-'));
  try {
    const { status, errLines } = run(['--chain', join(tmp, 'missing.json'), '--base-path', tmp]);
    assert.notEqual(status, 0);
    assert.equal(errLines.length, 1, `stderr: ${errLines.join(' | ')}`);
    assert.match(errLines[0], /^Error: .*unknown chain .*missing\.json/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a malformed chain spec gives one readable error line', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'poq-cli-'));
  try {
    const spec = join(tmp, 'bad.json');
    writeFileSync(spec, '{ "name": "broken", ');
    const { status, errLines } = run(['--chain', spec, '--base-path', tmp]);
    assert.notEqual(status, 0);
    assert.equal(errLines.length, 1, `stderr: ${errLines.join(' | ')}`);
    assert.match(errLines[0], /^Error: .*bad chain spec/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('an evaluator without its models fails at start with one readable line', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'poq-cli-'));
  try {
    const { status, errLines } = run(['--dev', '--models', join(tmp, 'no-models'), '--base-path', tmp]);
    assert.notEqual(status, 0);
    assert.equal(errLines.length, 1, `stderr: ${errLines.join(' | ')}`);
    assert.match(errLines[0], /^Error: .*cannot load its scoring engine: models directory .*no-models does not exist/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('export-chain-spec writes the dev chain spec as JSON', () => {
  const { status, stdout } = run(['export-chain-spec', '--chain', 'dev']);
  assert.equal(status, 0);
  const spec = JSON.parse(stdout);
  assert.equal(spec.id, 'poq_dev');
});
