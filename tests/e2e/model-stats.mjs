// Reads the model leaderboard's data from a chain over RPC (the runtime API
// `TasksApi::model_stats`: per registered model and family, the count, sum and sum of squares of
// the settled quality of its outputs, in parts per million) and writes it as JSON lines for
// `poq-scorer leaderboard`. Used by scripts/leaderboard.sh.
//
//   node model-stats.mjs --url ws://127.0.0.1:9944 --out stats.jsonl

import fs from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const url = opt('--url', 'ws://127.0.0.1:9944');
const out = opt('--out', null);
if (!out) {
  console.error('model-stats.mjs: --out FILE is required');
  process.exit(2);
}

// One readable line when nothing answers at `url` (the RPC port serves HTTP as well).
try {
  const res = await fetch(url.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (e) {
  console.error(`model-stats: no node answers at ${url} (${e.cause?.code ?? e.cause?.message ?? e.message})`);
  process.exit(1);
}
const provider = new WsProvider(url, false);
await provider.connect();
const api = await ApiPromise.create({ provider, noInitWarn: true });
try {
  if (!api.call.tasksApi?.modelStats) {
    console.error(`model-stats: the chain at ${url} has no TasksApi::model_stats (a runtime before spec 103)`);
    process.exit(1);
  }
  const rows = await api.call.tasksApi.modelStats();
  const lines = rows.map((r) => JSON.stringify({
    model: r.model.toUtf8(),
    family: r.family.toString(),
    count: r.stats.count.toNumber(),
    sum: r.stats.sum.toString(),
    sum_sq: r.stats.sumSq.toString(),
    retired: r.retired.isTrue,
  }));
  fs.writeFileSync(out, lines.map((l) => l + '\n').join(''));
  const models = (await api.call.tasksApi.models()).length;
  console.log(`model-stats: ${rows.length} (model, family) rows of ${models} registered models from ${url}`);
} finally {
  await api.disconnect();
}
