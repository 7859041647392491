// Runs the canned OpenAI-compatible server of lib/openai-stub.mjs until stopped: the demo's
// stand-in for an operator's LLM server.
//
//   node tests/e2e/openai-stub.mjs [--port 8089]

import { startStub } from './lib/openai-stub.mjs';

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 8089;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`openai-stub: --port '${process.argv[i + 1]}' is not a port number`);
  process.exit(2);
}
startStub({ port }).then((s) => {
  console.log(`openai-stub: canned chat completions on ${s.url} (models: good, wrong, offTopic, degenerate)`);
}).catch((e) => {
  console.error(`openai-stub: cannot listen on port ${port}: ${e.message}`);
  process.exit(1);
});
