// Runs the network's own client binaries for a test: `poq-provider` daemons (started, killed,
// restarted on their state directory) and `poq` commands. Binaries from the release build in
// `$CARGO_TARGET_DIR` (default `~/.cache/poq-target`).

import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './node.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The path of a client binary (`poq` or `poq-provider`). */
export function clientBinary(name) {
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'poq-target');
  const bin = join(target, 'release', name);
  if (!existsSync(bin)) throw new Error(`${bin} not found: run scripts/test.sh, which builds it`);
  return bin;
}

/** Runs `poq ARGS...`; resolves with `{ code, stdout, stderr }`. */
export function poq(args, { timeoutMs = 600_000 } = {}) {
  return new Promise((resolve) => {
    execFile(clientBinary('poq'), args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * A `poq-provider` daemon: `args` are its flags (the state directory and the metrics port are
 * added). `start()` spawns it, `kill(signal)` stops it, `start()` again restarts it on the same
 * state directory. `logs` keeps its lines.
 */
export class ProviderProcess {
  constructor(args, { stateDir = null } = {}) {
    this.args = args;
    this.ownState = stateDir === null;
    this.stateDir = stateDir ?? mkdtempSync(join(tmpdir(), 'poq-provider-'));
    this.logs = [];
    this.child = null;
    this.metricsPort = null;
    this.onExit = () => { if (this.child) this.child.kill('SIGKILL'); };
    process.on('exit', this.onExit);
  }

  async start() {
    this.metricsPort = await freePort();
    const child = spawn(clientBinary('poq-provider'),
      [...this.args, '--state-dir', this.stateDir, '--prometheus-port', String(this.metricsPort)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = null;
    const keep = (d) => this.logs.push(...d.toString().split('\n').filter(Boolean));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code, signal) => { this.exited = { code, signal }; });
    await this.waitLog(/serving /, 120_000);
  }

  /** Waits for a log line matching `re`; returns it. */
  async waitLog(re, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find((l) => re.test(l));
      if (line) return line;
      if (this.exited) throw new Error(`poq-provider exited (${JSON.stringify(this.exited)}):\n${this.logs.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no log line ${re} after ${timeoutMs} ms:\n${this.logs.slice(-20).join('\n')}`);
      await sleep(200);
    }
  }

  /** Its Prometheus metrics as `{ name{labels}: value }`. */
  async metrics() {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    const out = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith('poq_provider_')) continue;
      const i = line.lastIndexOf(' ');
      out[line.slice(0, i)] = Number(line.slice(i + 1));
    }
    return out;
  }

  async kill(signal = 'SIGKILL') {
    if (!this.child || this.exited) return;
    this.child.kill(signal);
    for (let i = 0; i < 100 && !this.exited; i++) await sleep(100);
  }

  async stop() {
    await this.kill('SIGINT');
    await this.kill('SIGKILL');
    process.off('exit', this.onExit);
    if (this.ownState) rmSync(this.stateDir, { recursive: true, force: true });
  }
}
