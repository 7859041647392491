// The command-line clients' common part (audit-chain.mjs, model-stats.mjs): their options, and
// a connection to a node, or one readable line when nothing answers.

import { ApiPromise, WsProvider } from '@polkadot/api';

/**
 * The API of the node at `url`; `name` prefixes the line printed (to standard error, exit
 * status 1) when no node answers there. The RPC port serves HTTP as well, so one plain request
 * tells a missing node from a slow one before the WebSocket client starts retrying.
 */
export async function connectOrExit(url, name) {
  try {
    const res = await fetch(url.replace(/^ws/, 'http'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    console.error(`${name}: no node answers at ${url} (${e.cause?.code ?? e.cause?.message ?? e.message})`);
    process.exit(1);
  }
  const provider = new WsProvider(url, false);
  await provider.connect();
  return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
}

/**
 * The `--url URL` (default `ws://127.0.0.1:9944`) and the required `--out FILE` of a client's
 * command line; `name` prefixes the line printed (exit status 2) when `--out` is missing.
 */
export function urlAndOut(name) {
  const args = process.argv.slice(2);
  const opt = (flag, dflt) => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
  };
  const out = opt('--out', null);
  if (!out) {
    console.error(`${name}: --out FILE is required`);
    process.exit(2);
  }
  return { url: opt('--url', 'ws://127.0.0.1:9944'), out };
}
