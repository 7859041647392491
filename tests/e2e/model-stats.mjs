// Reads the model leaderboard's data from a chain over RPC (the runtime API
// `TasksApi::model_stats`: per registered model and family, the count, sum and sum of squares of
// the settled quality of its outputs, in parts per million) and writes it as JSON lines for
// `poq-scorer leaderboard`. Used by scripts/leaderboard.sh.
//
//   node model-stats.mjs --url ws://127.0.0.1:9944 --out stats.jsonl

import fs from 'node:fs';
import { connectOrExit, urlAndOut } from './lib/connect.mjs';

const { url, out } = urlAndOut('model-stats.mjs');

const api = await connectOrExit(url, 'model-stats');
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
