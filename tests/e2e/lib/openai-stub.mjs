// A small OpenAI-compatible chat-completions server with canned answers, standing for an
// inference node operator's LLM server in the demo and the tests (the `poq-provider` daemons
// and the chain are real). `POST /v1/chat/completions` answers the last user message:
//
// - the request's `model` picks the kind of answer: `good`, `wrong`, `offTopic` or `degenerate`
//   (the canned answers of tests/e2e/lib/poq.mjs, found by the query text; an unknown query gets
//   a generic answer of that kind);
// - the models `fail` (HTTP 500), `garbage` (a body that is not JSON), `empty` (an empty
//   completion) and `slow` (answers after `slowMs`) play a failing server.
//
// `GET /stats` returns the number of requests per model.

import { createServer } from 'node:http';
import { QUERIES, TEST_QUERIES } from './poq.mjs';

const KINDS = ['good', 'wrong', 'offTopic', 'degenerate'];
const GENERIC = {
  good: (q) => `A careful answer to: ${q}`,
  wrong: (q) => `A confident but wrong answer to: ${q}`,
  offTopic: () => 'Bananas are an excellent source of potassium and dietary fibre.',
  degenerate: () => 'answer answer answer answer answer answer answer answer answer answer',
};

/** The canned answer of `kind` to `prompt` (a query text, possibly with a ` [k]` suffix). */
export function cannedAnswer(kind, prompt) {
  const text = prompt.replace(/ \[\d+\]$/, '');
  const q = [...QUERIES, ...TEST_QUERIES].find((x) => x.query === text);
  return q ? q.answers[kind] : GENERIC[kind](text);
}

function completion(model, content) {
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/** Starts the server on `port` (0: any free port); resolves with `{ port, url, stats, close }`. */
export function startStub({ port = 0, host = '127.0.0.1', slowMs = 60_000, delayMs = 0 } = {}) {
  const stats = {};
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      let model = '';
      let prompt = '';
      try {
        const json = JSON.parse(body);
        model = String(json.model ?? '');
        prompt = String([...(json.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'request is not JSON' } }));
        return;
      }
      stats[model] = (stats[model] ?? 0) + 1;
      const reply = (status, text, type = 'application/json') => setTimeout(() => {
        if (!res.writableEnded) { res.writeHead(status, { 'content-type': type }); res.end(text); }
      }, delayMs);
      if (model === 'fail') return reply(500, JSON.stringify({ error: { message: 'the model crashed' } }));
      if (model === 'garbage') return reply(200, '<html>502 Bad Gateway</html>', 'text/html');
      if (model === 'empty') return reply(200, JSON.stringify(completion(model, '')));
      if (model === 'slow') {
        setTimeout(() => { if (!res.writableEnded) res.end(JSON.stringify(completion(model, cannedAnswer('good', prompt)))); }, slowMs);
        return undefined;
      }
      if (!KINDS.includes(model)) {
        return reply(404, JSON.stringify({ error: { message: `model '${model}' not found (one of ${KINDS.join(', ')})` } }));
      }
      return reply(200, JSON.stringify(completion(model, cannedAnswer(model, prompt))));
    });
  });
  // Keep idle connections longer than the daemons' pool keeps them (Node closes them after 5 s
  // by default): a request sent on a connection the server is closing at that moment fails as
  // "endpoint unreachable" (seen once in the upgrade test, 2026-12-07).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({
        port: actual,
        url: `http://${host}:${actual}/v1`,
        stats,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
