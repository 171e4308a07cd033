import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAiClient } from '../../src/clients/openai.js';
import type { ShowQuipsInput } from '../../src/domain/ai/answers.js';
import { localEngine } from '../../src/domain/ai/localEngine.js';
import { showQuipsQuestion } from '../../src/domain/ai/questions.js';

// A scripted stand-in for /chat/completions: each request takes the next reply.
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
let script: Reply[] = [];
let requests: { auth?: string; body: Record<string, unknown>; at: number }[] = [];
let baseUrl = '';

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let data = '';
  req.on('data', (c: Buffer) => (data += c.toString()));
  req.on('end', () => {
    requests.push({ auth: req.headers.authorization, body: JSON.parse(data) as Record<string, unknown>, at: Date.now() });
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const reply = script.shift() ?? { status: 500, body: { error: 'script exhausted' } };
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body ?? {}));
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function reset(replies: Reply[]) {
  script = replies;
  requests = [];
}

const toolReply = (args: unknown): Reply => ({
  status: 200,
  body: {
    choices: [{ message: { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'write_show_quips', arguments: JSON.stringify(args) } }] } }],
  },
});

const input: ShowQuipsInput = {
  firstShow: { name: 'Dark', genres: ['Mystery'] },
  mostWatchedShow: { name: 'Friends', genres: ['Comedy'], watched: 40, total: 236 },
};
const valid = { firstShowQuip: 'A time-bending start to a lovely habit.', mostWatchedShowQuip: 'Forty episodes of coffee-shop comfort.' };
const namesShow = { firstShowQuip: 'Dark was your first!', mostWatchedShowQuip: 'Friends forever.' };

const client = () => createAiClient({ baseUrl, apiKey: 'sk-test', model: 'test-model', timeoutMs: 2000, maxAttempts: 3, backoffBaseMs: 10 });

void test('valid tool call → source llm, one attempt, request shaped per the contract', async () => {
  reset([toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.deepEqual(r, { output: valid, source: 'llm', attempts: 1 });
  assert.equal(requests.length, 1);
  const { body, auth } = requests[0];
  assert.equal(auth, 'Bearer sk-test');
  assert.equal(body.model, 'test-model');
  const messages = body.messages as { role: string }[];
  assert.deepEqual(messages.map((m) => m.role), ['system', 'user']);
  assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'write_show_quips' } });
  const tools = body.tools as { type: string; function: { name: string; parameters: unknown } }[];
  assert.equal(tools[0].type, 'function');
  assert.equal(tools[0].function.name, 'write_show_quips');
  assert.deepEqual(tools[0].function.parameters, showQuipsQuestion.parameters);
});

void test('invalid then valid → llm after 2 attempts, with the rejection fed back', async () => {
  reset([toolReply(namesShow), toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.equal(r.source, 'llm');
  assert.equal(r.attempts, 2);
  assert.deepEqual(r.output, valid);
  const second = requests[1].body.messages as { role: string; content: string }[];
  assert.match(second[second.length - 1].content, /rejected/);
});

void test('always invalid → local engine after maxAttempts', async () => {
  reset([toolReply(namesShow), toolReply({ firstShowQuip: 1 }), { status: 200, body: { choices: [{ message: { content: 'no idea' } }] } }]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.equal(r.source, 'local');
  assert.equal(r.attempts, 3);
  assert.deepEqual(r.output, localEngine.showQuips(input));
  assert.match(r.error ?? '', /invalid output/);
});

void test('401 → immediate local fallback', async () => {
  reset([{ status: 401, body: { error: { message: 'bad key' } } }, toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.equal(r.source, 'local');
  assert.equal(r.attempts, 1);
  assert.equal(requests.length, 1);
  assert.match(r.error ?? '', /401/);
});

void test('429 with Retry-After: 1 is honoured, then success', async () => {
  reset([{ status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } }, toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.equal(r.source, 'llm');
  assert.equal(r.attempts, 1, 'the refusal for pace spent no attempt');
  const waited = requests[1].at - requests[0].at;
  assert.ok(waited >= 950, `waited ${waited} ms`);
});

void test('refusals for pace (429, 503, any body) spend no attempt: five of them, then the answer, with 3 attempts', async () => {
  const refusal = (status: number): Reply => ({ status, headers: { 'retry-after': '0' }, body: { error: 'slow down' } });
  reset([refusal(429), refusal(503), refusal(429), refusal(429), refusal(503), toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.deepEqual(r, { output: valid, source: 'llm', attempts: 1 });
  assert.equal(requests.length, 6);
});

void test('an endpoint refusing us for pace past the patience: the local engine answers', async () => {
  // More refusals than the patience can use up, however fast this machine answers: the give-up must come from the patience.
  const refusals = Array.from({ length: 100_000 }, (): Reply => ({ status: 429, headers: { 'retry-after': '0' }, body: {} }));
  reset(refusals);
  const r = await createAiClient({ baseUrl, apiKey: 'sk-test', model: 'test-model', timeoutMs: 2000, maxAttempts: 2, backoffBaseMs: 1, throttlePatienceMs: 200 }).ask(showQuipsQuestion, input);
  assert.equal(r.source, 'local');
  assert.match(r.error ?? '', /429/);
});

void test('5xx is retried with backoff (a 503 is a pace: it spends no attempt)', async () => {
  reset([{ status: 503 }, { status: 502 }, toolReply(valid)]);
  const r = await client().ask(showQuipsQuestion, input);
  assert.equal(r.source, 'llm');
  assert.equal(r.attempts, 2);
});

void test('timeouts count as transient and end in the local engine', async () => {
  const slow = createServer((_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 500));
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const r = await createAiClient({ baseUrl: url, model: 'm', timeoutMs: 100, maxAttempts: 2, backoffBaseMs: 1 }).ask(showQuipsQuestion, input);
    assert.equal(r.source, 'local');
    assert.equal(r.attempts, 2);
    assert.match(r.error ?? '', /timed out/);
  } finally {
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  }
});

void test('no baseUrl → local engine without any request', async () => {
  reset([]);
  const r = await createAiClient({ model: 'm', timeoutMs: 1000, maxAttempts: 3 }).ask(showQuipsQuestion, input);
  assert.deepEqual(r, { output: localEngine.showQuips(input), source: 'local', attempts: 0 });
  assert.equal(requests.length, 0);
});

void test('network errors are transient and end in the local engine', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const r = await createAiClient({ baseUrl: `http://127.0.0.1:${port}`, model: 'm', timeoutMs: 1000, maxAttempts: 2, backoffBaseMs: 1 }).ask(showQuipsQuestion, input);
  assert.equal(r.source, 'local');
  assert.equal(r.attempts, 2);
  assert.match(r.error ?? '', /network error/);
});
