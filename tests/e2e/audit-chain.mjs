// Reads a chain's calibration over RPC: prints each family's gate state (on-chain reliability,
// gates, pins, effective weights) and writes the revealed gold tasks as `poq-scorer audit` input
// (JSON lines: the settled consensus of each output's structure, semantic and alignment with its
// label; preferences as pairs). Used by scripts/audit-chain.sh.
//
//   node audit-chain.mjs --url ws://127.0.0.1:9944 --out gold.jsonl

import fs from 'node:fs';
import { connectOrExit, urlAndOut } from './lib/connect.mjs';

const { url, out } = urlAndOut('audit-chain.mjs');

const FAMILIES = ['Qa', 'Summarization', 'Code', 'Open'];
const SERIES = ['model prior', 'cost prior', 'structure', 'semantic', 'alignment', 'agreement', 'composite', 'fallback'];
const pct = (x) => (x === null || x === undefined ? '-' : (x / 10_000).toFixed(1) + '%');

const api = await connectOrExit(url, 'audit-chain');
try {
  const records = (await api.call.calibrationApi.goldRecords()).map((r) => r.toJSON());
  console.log(`gold tasks: ${records.length}\n`);
  console.log('on-chain reliability (pairwise accuracy over the window) and gate state:\n');
  console.log('| family | series | reliability | gold tasks | state | weight |');
  console.log('|---|---|---|---|---|---|');
  for (const family of FAMILIES) {
    const c = (await api.call.calibrationApi.calibration(family)).toJSON();
    SERIES.forEach((name, s) => {
      let state = '';
      if (s < 6) {
        const pin = c.pinned[s];
        state = pin === true ? 'pinned on' : pin === false ? 'pinned off' : c.gated[s] ? 'gated' : 'counts';
      }
      const weight = s < 6 ? pct(c.weights[s]) : '';
      console.log(`| ${family} | ${name} | ${pct(c.reliability[s])} | ${c.goldTasks[s]} | ${state} | ${weight} |`);
    });
  }
  const lines = [];
  for (const r of records) {
    const family = r.family;
    const dims = (i) => {
      const s = r.scores[i];
      const v = (x) => (x === null ? null : x / 1e6);
      return { structure: v(s[2]), semantic: v(s[3]), alignment: v(s[4]) };
    };
    const ok = (d) => d.structure !== null && d.semantic !== null && d.alignment !== null;
    if (r.labels.quality) {
      r.labels.quality.forEach((label, i) => {
        const d = dims(i);
        if (ok(d)) lines.push({ family, ...d, label: label / 1e6, set: 'chain' });
      });
    } else if (r.labels.preferences) {
      r.labels.preferences.forEach(([better, worse], k) => {
        const [b, w] = [dims(better), dims(worse)];
        if (ok(b) && ok(w)) {
          const pair = `${r.task}-${k}`;
          lines.push({ family, ...b, pair, better: true, set: 'chain' }, { family, ...w, pair, better: false, set: 'chain' });
        }
      });
    }
  }
  fs.writeFileSync(out, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
} finally {
  await api.disconnect();
}
