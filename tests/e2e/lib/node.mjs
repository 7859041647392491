// Starts the real `poq-node` binary for a test and stops it again, whatever happens.
//
// The binary is `$POQ_NODE_BIN`, else the release build in `$CARGO_TARGET_DIR` (default
// `~/.cache/poq-target`). Every node gets free local ports and a fresh temporary base path.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { dispatchErrorName } from './governance.mjs';

/** The node binary the tests run. */
export function nodeBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'poq-target');
  const bin = process.env.POQ_NODE_BIN || join(target, 'release', 'poq-node');
  if (!existsSync(bin)) {
    throw new Error(`node binary not found at ${bin}: run scripts/test.sh, which builds it`);
  }
  return bin;
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a node with `args` (e.g. `['--dev']`) and connects an API client to it.
 * Returns `{ api, rpcPort, logs, stop }`; `stop()` is idempotent and also runs on process exit.
 */
export async function startNode(args = ['--dev'], { readyTimeoutMs = 120_000 } = {}) {
  const bin = nodeBinary();
  // A caller's --base-path is kept (e.g. to restart a node on its state); otherwise a fresh one.
  const ownBase = !args.includes('--base-path');
  const basePath = ownBase ? mkdtempSync(join(tmpdir(), 'poq-e2e-')) : null;
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const child = spawn(
    bin,
    [
      ...args,
      ...(ownBase ? ['--base-path', basePath] : []),
      '--rpc-port', String(rpcPort),
      '--port', String(p2pPort),
      '--no-prometheus',
      '--no-telemetry',
      '--no-mdns',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs = [];
  const keep = (d) => {
    logs.push(...d.toString().split('\n').filter(Boolean));
    if (logs.length > 2000) logs.splice(0, logs.length - 2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  let api = null;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killNow);
    if (api) await api.disconnect().catch(() => {});
    if (exited === null) {
      child.kill('SIGINT');
      for (let i = 0; i < 100 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    if (basePath) rmSync(basePath, { recursive: true, force: true });
  };
  const killNow = () => { if (exited === null) child.kill('SIGKILL'); };
  process.on('exit', killNow);

  try {
    const deadline = Date.now() + readyTimeoutMs;
    while (true) {
      if (exited !== null) {
        throw new Error(`node exited early (${JSON.stringify(exited)}):\n${logs.slice(-30).join('\n')}`);
      }
      if (Date.now() > deadline) throw new Error(`node RPC not ready after ${readyTimeoutMs} ms`);
      if (logs.some((l) => l.includes('Running JSON-RPC server'))) break;
      await sleep(200);
    }
    const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, false);
    await provider.connect();
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  } catch (e) {
    await stop();
    throw e;
  }
  return { api, rpcPort, logs, stop, child };
}

/** Resolves with the first value of `fn()` that is truthy, polling every `everyMs`. */
export async function waitFor(what, fn, { timeoutMs = 60_000, everyMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Signs and sends `tx` from `signer` (with `options` such as `{ nonce }`); resolves with
 * `{ blockHash, events }` once included, or rejects with the decoded dispatch error.
 */
export function sendAndWait(api, tx, signer, options = {}) {
  return new Promise((resolve, reject) => {
    let unsub = null;
    tx.signAndSend(signer, options, (result) => {
      const { status, events, dispatchError } = result;
      if (dispatchError) {
        if (unsub) unsub();
        reject(new Error(`dispatch error: ${dispatchErrorName(api, dispatchError)}`));
        return;
      }
      if (status.isInBlock) {
        if (unsub) unsub();
        resolve({ blockHash: status.asInBlock.toHex(), events });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        if (unsub) unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}

/** Like [`sendAndWait`], resolving with the events alone: the `send` of `councilMotion`. */
export const sendEvents = (api) => (tx, signer) => sendAndWait(api, tx, signer).then((r) => r.events);
