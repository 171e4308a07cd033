// OpenAI-compatible tool-calling client for the report's AI questions.
// Every ask ends with a valid answer: the LLM's when it gives one in time,
// else the local engine's (source 'local', with the reason).
import { validateAnswer, type AiQuestion } from '../domain/ai/questions.js';
import { isThrottleStatus, isTransientStatus, parseRetryAfter } from './errors.js';
import { sleep } from './rateLimiter.js';

export interface AiClientOptions {
  /** e.g. https://api.openai.com/v1 — without it the local engine answers directly. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** HTTP attempts per question, including retries after invalid output. */
  maxAttempts: number;
  fetchImpl?: typeof fetch;
  /** Longest wait honoured from a Retry-After header. Default 30 s. */
  retryAfterCapMs?: number;
  /** First backoff after a transient failure; doubles per attempt, capped at 8 s. Default 500 ms. */
  backoffBaseMs?: number;
  /** How long refusals for pace (429, 503) are waited out, spending no attempt (THROTTLE_PATIENCE). Default 30 min. */
  throttlePatienceMs?: number;
}

export interface AskResult<O> {
  output: O;
  source: 'llm' | 'local';
  /** HTTP attempts made (0 when no endpoint is configured). */
  attempts: number;
  /** Why the local engine answered instead of the LLM. */
  error?: string;
}

export interface AiClient {
  ask<I, O>(question: AiQuestion<I, O>, input: I): Promise<AskResult<O>>;
}

/** The subset of a pino logger this client uses. */
export interface AiLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

type Attempt =
  | { kind: 'ok'; output: unknown }
  | { kind: 'invalid'; reason: string; reply?: string }
  | { kind: 'transient'; reason: string; retryAfterMs?: number; throttled?: boolean }
  | { kind: 'permanent'; reason: string };

const MAX_BACKOFF_MS = 8_000;

/** The tool call's arguments; some servers ignore tool_choice and put the JSON in content. */
function extractArguments(body: unknown): { ok: true; raw: string } | { ok: false; reason: string } {
  const message = (body as { choices?: { message?: Record<string, unknown> }[] } | null)?.choices?.[0]?.message;
  if (!message) return { ok: false, reason: 'response has no choices[0].message' };
  const calls = message.tool_calls as { function?: { arguments?: unknown } }[] | undefined;
  const args = calls?.[0]?.function?.arguments;
  if (typeof args === 'string') return { ok: true, raw: args };
  if (args && typeof args === 'object') return { ok: true, raw: JSON.stringify(args) };
  if (typeof message.content === 'string' && message.content.trim().startsWith('{')) {
    return { ok: true, raw: message.content };
  }
  return { ok: false, reason: 'response has no tool call' };
}

export function createAiClient(opts: AiClientOptions, logger?: AiLogger): AiClient {
  const doFetch = opts.fetchImpl ?? fetch;
  const retryAfterCap = opts.retryAfterCapMs ?? 30_000;
  const backoffBase = opts.backoffBaseMs ?? 500;
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  const throttlePatienceMs = opts.throttlePatienceMs ?? 30 * 60_000;
  const endpoint = opts.baseUrl ? `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions` : null;

  async function attempt<I, O>(question: AiQuestion<I, O>, messages: ChatMessage[]): Promise<Attempt> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    const body = JSON.stringify({
      model: opts.model,
      messages,
      tools: [{ type: 'function', function: { name: question.name, description: question.description, parameters: question.parameters } }],
      tool_choice: { type: 'function', function: { name: question.name } },
    });

    let res: Response;
    let text: string;
    try {
      // The timeout covers the body too: a server can stall after the headers.
      const signal = AbortSignal.timeout(opts.timeoutMs);
      res = await doFetch(endpoint as string, { method: 'POST', headers, body, signal });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
      return { kind: 'transient', reason: timedOut ? `timed out after ${opts.timeoutMs} ms` : `network error: ${e?.message ?? String(err)}` };
    }

    if (!res.ok) {
      const reason = `HTTP ${res.status}: ${text.slice(0, 200)}`;
      if (isTransientStatus(res.status)) return { kind: 'transient', reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), throttled: isThrottleStatus(res.status) };
      // 400/401/403/404/422…: retrying the same request can't help.
      return { kind: 'permanent', reason };
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'invalid', reason: 'response body is not JSON' };
    }
    const args = extractArguments(json);
    if (!args.ok) return { kind: 'invalid', reason: args.reason };
    try {
      return { kind: 'ok', output: JSON.parse(args.raw) };
    } catch {
      return { kind: 'invalid', reason: 'tool call arguments are not valid JSON', reply: args.raw };
    }
  }

  async function ask<I, O>(question: AiQuestion<I, O>, input: I): Promise<AskResult<O>> {
    if (!endpoint) return { output: question.local(input), source: 'local', attempts: 0 };

    const messages: ChatMessage[] = [
      { role: 'system', content: question.system },
      { role: 'user', content: question.buildPrompt(input) },
    ];
    let lastError = 'no attempt made';
    let attempts = 0;
    /** Since when the endpoint has refused us for pace: such refusals spend time, not attempts. */
    let throttledSince: number | undefined;
    while (attempts < maxAttempts) {
      attempts++;
      const result = await attempt(question, messages);
      if (result.kind === 'transient' && result.throttled) {
        throttledSince ??= Date.now();
        if (Date.now() - throttledSince < throttlePatienceMs) {
          attempts--;
          lastError = result.reason;
          const wait = Math.min(result.retryAfterMs ?? 1000, retryAfterCap);
          logger?.debug({ question: question.name, error: lastError, waitMs: wait }, 'LLM asked us to slow down; waiting');
          await sleep(wait);
          continue;
        }
      } else throttledSince = undefined;
      if (result.kind === 'ok') {
        const checked = validateAnswer(question, input, result.output);
        if (checked.ok) return { output: checked.output, source: 'llm', attempts };
        lastError = `invalid output: ${checked.reason}`;
        // Tell the model what was wrong so the retry can fix it.
        messages.push(
          { role: 'assistant', content: JSON.stringify(result.output) },
          { role: 'user', content: `That answer was rejected: ${checked.reason}. Call ${question.name} again with corrected arguments.` },
        );
      } else if (result.kind === 'invalid') {
        lastError = `invalid output: ${result.reason}`;
      } else if (result.kind === 'permanent') {
        lastError = result.reason;
        logger?.warn({ question: question.name, attempts, error: lastError }, 'LLM failed permanently; using local engine');
        return { output: question.local(input), source: 'local', attempts, error: lastError };
      } else {
        lastError = result.reason;
        if (attempts < maxAttempts) {
          const backoff = Math.min(MAX_BACKOFF_MS, backoffBase * 2 ** (attempts - 1));
          const wait = result.retryAfterMs !== undefined ? Math.min(result.retryAfterMs, retryAfterCap) : backoff;
          logger?.debug({ question: question.name, attempts, error: lastError, waitMs: wait }, 'LLM transient failure; retrying');
          await sleep(wait);
        }
        continue;
      }
      logger?.debug({ question: question.name, attempts, error: lastError }, 'LLM gave invalid output; retrying');
    }
    logger?.warn({ question: question.name, attempts, error: lastError }, 'LLM attempts exhausted; using local engine');
    return { output: question.local(input), source: 'local', attempts, error: lastError };
  }

  return { ask };
}
