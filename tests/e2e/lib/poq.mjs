// The Proof-of-Quality flow as a client plays it: a user posts queries, three inference nodes
// answer each with a good, an off-topic and a degenerate output, and the chain's evaluators
// (an evaluator node's off-chain worker) score them. Shared by the demo and the e2e tests.

import { waitFor, sendAndWait } from './node.mjs';

export const POQ = 1_000_000_000_000n;

/** Queries of the four families, each answered correctly, fluently but wrongly, off topic and by a word loop. */
export const QUERIES = [
  {
    family: 'Qa',
    query: 'What is the capital of France?',
    reference: 'Paris is the capital of France.',
    answers: {
      good: 'The capital of France is Paris.',
      wrong: 'The capital of France is Lyon, the largest city in the country.',
      offTopic: 'Bananas are an excellent source of potassium and dietary fibre.',
      degenerate: 'Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris Paris',
    },
  },
  {
    family: 'Summarization',
    query: 'Summarize: The city council voted on Tuesday to expand the bike lane network by 40 kilometres over the next three years. Council members cited new safety data and a steady rise in the number of cyclists. Construction will start in the spring.',
    reference: null,
    answers: {
      good: 'The council approved 40 km of new bike lanes over three years, citing safety data and more cyclists; work starts in spring.',
      wrong: 'The council rejected the plan to expand the bike lanes because of budget cuts, and no construction is planned.',
      offTopic: 'The Eiffel Tower is 330 metres tall and was completed in 1889.',
      degenerate: 'the council the council the council the council the council the council the council the council the council the council the council the council',
    },
  },
  {
    family: 'Code',
    query: 'Write a Python function total(numbers) that returns the sum of a list of numbers.',
    // A Code reference may carry a test program after a `# poq-tests` line: evaluators run
    // every output against it in the code sandbox.
    reference: 'def total(numbers):\n    return sum(numbers)\n# poq-tests\nassert total([1, 2, 3]) == 6\nassert total([]) == 0\nassert total([-1, 5]) == 4\nassert total([2.5, 2.5]) == 5.0\n',
    answers: {
      good: 'def total(numbers):\n    """Return the sum of a list of numbers."""\n    return sum(numbers)',
      wrong: 'def total(numbers):\n    """Return the sum of a list of numbers."""\n    return max(numbers)',
      offTopic: 'Photosynthesis converts light energy into chemical energy in plants.',
      degenerate: 'def def def def def def def def def def def def def def def def def def def def def def def def',
    },
  },
  {
    family: 'Open',
    // No reference: the evaluators' judge reads each answer against the query.
    query: 'Give me three tips for sleeping better.',
    reference: null,
    answers: {
      good: 'Here are three tips for sleeping better:\n\n1. **Keep a regular schedule.** Go to bed and wake up at the same time every day, even on weekends.\n2. **Make your bedroom dark, quiet and cool.** Around 18 degrees Celsius suits most people.\n3. **Avoid screens and caffeine before bed.** Stop coffee after lunch and put your phone away an hour before sleeping.',
      wrong: 'Sleeping better is easy: drink two cups of strong coffee right before bed, keep the lights on and scroll your phone until you fall asleep.',
      offTopic: 'The Eiffel Tower is 330 metres tall and was completed in 1889.',
      degenerate: 'sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep',
    },
  },
  {
    family: 'Qa',
    // No reference: the answers corroborate each other (the correct and the wrong one, which
    // contradict each other, are paid alike; off topic and the loop get nothing).
    query: 'Who wrote Hamlet?',
    reference: null,
    answers: {
      good: 'William Shakespeare wrote Hamlet.',
      wrong: 'Hamlet was written by Christopher Marlowe in 1590.',
      offTopic: 'Bananas are an excellent source of potassium and dietary fibre.',
      degenerate: 'Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet',
    },
  },
];

/**
 * Queries the end-to-end test scores (not the demo's, and never seen by the models' training):
 * a QA task with a reference, a summarization task, a Code task with tests, an Open task
 * without a reference and a QA task without a reference, each answered
 * correctly, fluently but wrongly, off topic, and by a word loop.
 */
export const TEST_QUERIES = [
  {
    family: 'Qa',
    query: 'Which planet is closest to the Sun?',
    reference: 'Mercury is the planet closest to the Sun.',
    answers: {
      good: 'Mercury is the closest planet to the Sun.',
      wrong: 'Venus is the closest planet to the Sun, orbiting it every 225 days.',
      offTopic: 'The Great Wall of China is more than 20,000 kilometres long.',
      degenerate: 'sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun sun',
    },
  },
  {
    family: 'Summarization',
    query: 'Summarize: The library on Elm Street will close for renovation from June to September. During the closure, books can be borrowed from the mobile library that stops at the town hall every Wednesday. The renovation adds a children\'s reading room and solar panels on the roof.',
    reference: null,
    answers: {
      good: 'The Elm Street library closes from June to September for a renovation that adds a children\'s room and solar panels; a mobile library stops at the town hall on Wednesdays.',
      wrong: 'The Elm Street library will be demolished in June and replaced by a car park; its books will be sold.',
      offTopic: 'Tomatoes grow best in warm weather with plenty of sunlight and regular watering.',
      degenerate: 'library library library library library library library library library library library library library',
    },
  },
  {
    family: 'Code',
    query: 'Write a Python function count_words(text) that returns the number of whitespace-separated words in text.',
    reference: 'def count_words(text):\n    return len(text.split())\n# poq-tests\nassert count_words("a b c") == 3\nassert count_words("") == 0\nassert count_words("  spaced   out  ") == 2\nassert count_words("one") == 1\n',
    answers: {
      good: 'def count_words(text):\n    """Count the whitespace-separated words of text."""\n    return len(text.split())',
      wrong: 'def count_words(text):\n    """Count the whitespace-separated words of text."""\n    return len(text.split(" "))',
      offTopic: 'Mount Everest is the highest mountain above sea level, at 8,849 metres.',
      degenerate: 'words words words words words words words words words words words words words words',
    },
  },
  {
    family: 'Open',
    query: 'Suggest three ways to spend less money on groceries.',
    reference: null,
    answers: {
      good: 'Three ways to spend less on groceries:\n\n1. **Plan your meals and shop with a list.** Deciding the week\'s meals first stops impulse buys and food waste.\n2. **Compare unit prices and buy store brands.** They are often the same product for 20-30% less.\n3. **Buy staples in bulk and cook at home.** Rice, beans and oats are cheap per portion, and leftovers make the next day\'s lunch.',
      wrong: 'To spend less on groceries, shop when you are hungry, buy ready meals in small packs and pick the branded products at eye level.',
      offTopic: 'The Amazon river carries more water than any other river on Earth.',
      degenerate: 'money money money money money money money money money money money money money money money',
    },
  },
  {
    family: 'Qa',
    // No reference: what the chain can say is whether the answers corroborate each other.
    query: 'Who painted the Mona Lisa?',
    reference: null,
    answers: {
      good: 'Leonardo da Vinci painted the Mona Lisa.',
      wrong: 'The Mona Lisa was painted by Michelangelo in 1520, during his years in Florence.',
      offTopic: 'Penguins live mostly in the Southern Hemisphere, from Antarctica to the Galapagos.',
      degenerate: 'Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa Lisa',
    },
  },
];

/**
 * Roles of the four inference nodes, with their dev accounts and declared costs: the fluent but
 * wrong answer declares half the cost of the correct one.
 */
export const PROVIDERS = [
  { role: 'good', uri: '//Bob', model: 'good-model@1', cost: 2n * POQ },
  { role: 'wrong', uri: '//Eve', model: 'wrong-model@1', cost: 1n * POQ },
  { role: 'offTopic', uri: '//Charlie', model: 'offtopic-model@1', cost: 1n * POQ },
  { role: 'degenerate', uri: '//Dave', model: 'degenerate-model@1', cost: 1n * POQ },
];

import { outputCommitment } from './commitments.mjs';

/** Sends `txs` (pairs of [tx, signer]) at once, nonces assigned per signer; resolves with the events of each once included. */
export async function sendAll(api, txs) {
  const nonces = new Map();
  for (const [, signer] of txs) {
    if (!nonces.has(signer.address)) {
      nonces.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
    }
  }
  return Promise.all(txs.map(([tx, signer]) => {
    const nonce = nonces.get(signer.address);
    nonces.set(signer.address, nonce + 1);
    return sendAndWait(api, tx, signer, { nonce }).then((r) => r.events);
  }));
}

/**
 * Makes `evaluatorUri` a bonded, active evaluator (none when null) and registers the providers
 * (idempotent).
 */
export async function prepare(api, keyring, evaluatorUri = '//Alice') {
  const evaluator = evaluatorUri === null ? null : keyring.addFromUri(evaluatorUri);
  const txs = [];
  if (evaluator && (await api.query.evaluators.ledgers(evaluator.address)).isNone) {
    txs.push([api.tx.evaluators.bond(1_000n * POQ), evaluator], [api.tx.evaluators.activate(), evaluator]);
  }
  for (const p of PROVIDERS) {
    const pair = keyring.addFromUri(p.uri);
    if ((await api.query.tasks.providers(pair.address)).isNone) {
      txs.push([api.tx.tasks.registerProvider(p.model, p.cost), pair]);
    }
  }
  await sendAll(api, txs);
  return evaluator;
}

/**
 * Posts `queries` from `userUri`, has the providers commit and reveal, and returns the task ids
 * with the provider of each role. `onPhase(text)` reports progress; `afterCommit(tasks,
 * providers)` is awaited once every output is committed (a gold poster commits its labels there,
 * when the output order is known and no committee is drawn yet).
 */
export async function postAndAnswer(api, keyring, queries = QUERIES, { userUri = '//Ferdie', bounty = 30n * POQ, onPhase = () => {}, afterCommit = async () => {} } = {}) {
  const user = keyring.addFromUri(userUri);
  const submitted = await sendAll(api, queries.map((q) => [
    api.tx.tasks.submitQuery(q.family, q.query, q.reference, bounty, { maxOutputs: null, committeeSize: null }), user]));
  const tasks = submitted.map((events) =>
    events.find(({ event }) => api.events.tasks.QuerySubmitted.is(event)).event.data.task.toNumber());
  onPhase(`posted tasks ${tasks.join(', ')}`);
  const salt = new Uint8Array(32).fill(9);
  const providers = PROVIDERS.map((p) => ({ ...p, pair: keyring.addFromUri(p.uri) }));
  await sendAll(api, tasks.flatMap((task, i) => providers.map((p) =>
    [api.tx.tasks.commitOutput(task, outputCommitment(p.pair, task, queries[i].answers[p.role], salt)), p.pair])));
  onPhase('outputs committed');
  await afterCommit(tasks, providers);
  const last = tasks[tasks.length - 1];
  const info = (await api.query.tasks.tasks(last)).unwrap();
  await waitFor('the reveal phase', async () =>
    (await api.rpc.chain.getHeader()).number.toNumber() >= info.answerEnds.toNumber() - 1, { timeoutMs: 180_000 });
  await sendAll(api, tasks.flatMap((task, i) => providers.map((p) =>
    [api.tx.tasks.revealOutput(task, queries[i].answers[p.role], salt), p.pair])));
  onPhase('outputs revealed');
  return { tasks, providers };
}

/** Waits for the settled result of every task (through the runtime API). */
export async function waitForResults(api, tasks, timeoutMs = 240_000) {
  const results = [];
  for (const task of tasks) {
    results.push(await waitFor(`the result of task ${task}`, async () => {
      const r = await api.call.consensusApi.taskResult(task);
      return r.isSome ? r.unwrap() : null;
    }, { timeoutMs }));
  }
  return results;
}

const pct = (permill) => (permill === null ? '   -  ' : (Number(permill) / 10_000).toFixed(1).padStart(5) + '%');
const poq = (planck) => (Number(BigInt(planck)) / Number(POQ)).toFixed(3);
const DIMS = ['model prior', 'cost prior', 'structure', 'semantic', 'alignment', 'agreement'];

/** The table of results: per task and output, composite, dimensions and reward; then evaluators. */
export async function formatResults(api, queries, tasks, providers, results) {
  const byAddress = new Map(providers.map((p) => [p.pair.address, p]));
  const lines = [];
  const head = ['task', 'family', 'answer', 'composite', ...DIMS, 'reward POQ'];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const [i, r] of results.entries()) {
    for (const o of r.outputs) {
      const p = byAddress.get(o.provider.toString());
      const dims = o.scores.map((s) => pct(s.isSome ? s.unwrap().toNumber() : null));
      lines.push(`| ${tasks[i]} | ${queries[i].family} | ${p ? p.role : o.provider.toString().slice(0, 8)} | ${pct(o.composite.toNumber())} | ${dims.join(' | ')} | ${poq(o.reward.toBigInt())} |`);
    }
  }
  lines.push('', '| task | evaluator | conduct | deviation | trust after | reward POQ | slashed POQ |', '|---|---|---|---|---|---|---|');
  for (const [i, r] of results.entries()) {
    for (const e of r.evaluators) {
      lines.push(`| ${tasks[i]} | ${e.who.toString().slice(0, 8)}… | ${e.conduct.type} | ${pct(e.deviation.isSome ? e.deviation.unwrap().toNumber() : null)} | ${(e.trust.toNumber() / 1e7).toFixed(1)}% | ${poq(e.reward.toBigInt())} | ${poq(e.slashed.toBigInt())} |`);
    }
  }
  lines.push('', '| task | winner | pool POQ | paid POQ | refunded POQ |', '|---|---|---|---|---|');
  for (const [i, r] of results.entries()) {
    const paid = [...r.outputs, ...r.evaluators].reduce((a, x) => a + x.reward.toBigInt(), 0n);
    const w = r.winner.isSome ? (byAddress.get(r.winner.unwrap().toString())?.role ?? '?') : 'none';
    lines.push(`| ${tasks[i]} | ${w} | ${poq(r.pool.toBigInt())} | ${poq(paid)} | ${poq(r.refunded.toBigInt())} |`);
  }
  return lines.join('\n');
}
