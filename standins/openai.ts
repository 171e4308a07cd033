// OpenAI-compatible chat completions stand-in: answers forced tool calls with schema-valid arguments.
import express, { type Request, type Response } from 'express';
import type { Standin } from './http.js';
import { gateMiddleware, ServiceGate, type Limits } from './limits.js';
import { hashString, mulberry32, type Rng } from './random.js';

export interface OpenAiStandinOptions {
  apiKey: string;
  limits?: Partial<Limits>;
  /** 0..1: share of answers whose arguments violate the schema (bad enum or not JSON). */
  invalidRate?: number;
}

/** The JSON-schema subset we honour. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  description?: string;
}

const QUIPS = [
  'You treat cliffhangers like personal invitations, and honestly the plot twists are lucky to have you.',
  'Your remote has more mileage than most road trips, and every stop was worth it.',
  'You watch like a detective reads clues: patiently, then all at once.',
  'Somewhere a sofa cushion is shaped exactly like you, and it is proud of it.',
  'You never skip the intro, because you respect a good theme song.',
  'Your watchlist reads like a love letter to stories that take their time.',
  'You collect characters the way other people collect postcards, with care and a little chaos.',
  '"Just one more episode" is your love language, and it is fluent.',
  'You bring snacks to the finale like it is a wedding, and you cry at both.',
  'Plot holes fear you; you have seen enough to spot them from the couch.',
  'You root for the underdog, the sidekick and the slightly suspicious neighbor.',
  'Your taste is a mixtape: a bit of drama, a dash of mischief, all heart.',
  'Weekends bend around your queue, and that is a perfectly fine way to live.',
  'You would survive any reality show by being kind and suspiciously well rested.',
  'You are the friend who explains the lore, gently, with diagrams if needed.',
  'Every season finale you watch becomes a group chat event, and you host it well.',
];

const SHORT_NAMES = [
  'The Cozy Binger', 'Captain Cliffhanger', 'The Plot Whisperer', 'Sofa Sage', 'The Credits Stayer',
  'Queen of the Queue', 'The Night Owl', 'The Lore Keeper', 'Snack Strategist', 'The Finale Fan',
];

const fnv = (s: string): number => hashString(s);

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && s.$ref; i++) {
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(s.$ref);
    const next = m ? (m[1] === '$defs' ? root.$defs : root.definitions)?.[m[2]] : undefined;
    if (!next) return {};
    s = next;
  }
  return s;
}

function schemaType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? 'null';
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

function sentence(rng: Rng, maxLength: number, minLength: number, nameLike: boolean): string {
  const pool = nameLike ? SHORT_NAMES : QUIPS;
  // Prefer a whole sentence that fits; cut one only when none does.
  const fitting = pool.filter((q) => q.length <= maxLength && q.length >= minLength);
  let text = (fitting.length ? fitting : pool)[Math.floor(rng() * (fitting.length || pool.length))];
  if (text.length > maxLength) {
    // Cut at a word boundary when we can.
    const cut = text.slice(0, maxLength);
    const space = cut.lastIndexOf(' ');
    text = space > maxLength / 2 ? cut.slice(0, space) : cut;
  }
  while (text.length < minLength) text += text.length + 6 <= maxLength ? ' Truly.' : '!';
  return text.slice(0, Math.max(maxLength, minLength));
}

/** Generate a value that satisfies `schema`, deterministically from `seed`. */
function generateFromSchema(schema: JsonSchema, seed: string, root: JsonSchema = schema, path = ''): unknown {
  const s = resolveRef(schema, root);
  const rng = mulberry32(fnv(`${seed}|${path}`));
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[Math.floor(rng() * s.enum.length)];
  const branch = s.anyOf ?? s.oneOf;
  if (branch && branch.length > 0) return generateFromSchema(branch[0], seed, root, path);
  if (s.allOf && s.allOf.length > 0) {
    const merged: JsonSchema = {};
    for (const part of s.allOf) {
      const p = resolveRef(part, root);
      Object.assign(merged, p, { properties: { ...merged.properties, ...p.properties }, required: [...(merged.required ?? []), ...(p.required ?? [])] });
    }
    return generateFromSchema(merged, seed, root, path);
  }
  switch (schemaType(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(s.properties ?? {})) out[key] = generateFromSchema(sub, seed, root, `${path}.${key}`);
      return out;
    }
    case 'array': {
      const min = s.minItems ?? 0;
      const max = s.maxItems ?? Math.max(min, 3);
      const n = Math.max(min, Math.min(max, Math.max(min, 2)));
      const items: unknown[] = [];
      const seen = new Set<string>();
      for (let i = 0; items.length < n && i < n * 20; i++) {
        const v = generateFromSchema(s.items ?? {}, seed, root, `${path}[${i}]`);
        const k = JSON.stringify(v);
        if (s.uniqueItems && seen.has(k)) continue;
        seen.add(k);
        items.push(v);
      }
      return items;
    }
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Math.max(lo, 100));
      const v = lo + rng() * Math.max(0, hi - lo);
      return schemaType(s) === 'integer' ? Math.min(hi, Math.max(lo, Math.round(v))) : Math.round(v * 100) / 100;
    }
    case 'boolean':
      return rng() < 0.5;
    case 'null':
      return null;
    case 'string':
    default: {
      const key = path.slice(path.lastIndexOf('.') + 1);
      const nameLike = /name|title|label|sign|character/i.test(key) && !/quip|reason|why|description|text/i.test(key);
      return sentence(rng, s.maxLength ?? 140, s.minLength ?? 0, nameLike);
    }
  }
}

/** Path to the first enum in a generated object, to break it on purpose. */
function findEnumPath(schema: JsonSchema, root: JsonSchema): string[] | null {
  const s = resolveRef(schema, root);
  if (Array.isArray(s.enum) && s.enum.length > 0) return [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const p = findEnumPath(sub, root);
    if (p) return [key, ...p];
  }
  return null;
}

interface ChatMessage { role?: string; content?: unknown }
interface ChatTool { type?: string; function?: { name?: string; description?: string; parameters?: JsonSchema } }

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('\n');
  }
  return '';
}

const estimateTokens = (s: string): number => Math.max(1, Math.ceil(s.length / 4));

export function createOpenAiStandin(opts: OpenAiStandinOptions): Standin {
  const gate = new ServiceGate('openai', opts.limits, 404);
  const invalidRate = opts.invalidRate ?? 0;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let counter = 0;

  const oaiError = (res: Response, status: number, message: string, type: string, code: string | null = null): void => {
    res.status(status).json({ error: { message, type, param: null, code } });
  };
  const bearer = (req: Request): string | undefined => {
    const auth = req.get('authorization');
    return auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
  };

  const router = express.Router();
  router.use((req, res, next) => {
    if (bearer(req) !== opts.apiKey) {
      oaiError(res, 401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
      return;
    }
    next();
  });
  router.use(
    gateMiddleware(gate, (req) => bearer(req) ?? '', {
      throttled: (res) => oaiError(res, 429, 'Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'),
      fault: (res, status) =>
        status === 503
          ? oaiError(res, 503, 'The engine is currently overloaded, please try again later.', 'server_error')
          : oaiError(res, 500, 'The server had an error while processing your request. Sorry about that!', 'server_error'),
    }),
  );
  router.use(express.json({ limit: '4mb' }));

  router.get('/models', (_req, res) => {
    res.json({ object: 'list', data: [{ id: 'standin-mini', object: 'model', created: 1_700_000_000, owned_by: 'showprint-standin' }] });
  });

  router.post('/chat/completions', (req, res) => {
    const body = (req.body ?? {}) as {
      model?: unknown; messages?: unknown; tools?: unknown; tool_choice?: unknown; stream?: unknown;
      response_format?: { type?: string; json_schema?: { name?: string; schema?: JsonSchema } };
    };
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      oaiError(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter');
      return;
    }
    if (body.stream === true) {
      oaiError(res, 400, 'Streaming is not supported by the stand-in.', 'invalid_request_error', 'unsupported_value');
      return;
    }
    const messages = body.messages as ChatMessage[];
    const userText = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
    const promptText = messages.map((m) => textOf(m.content)).join('\n');
    const model = typeof body.model === 'string' ? body.model : 'standin-mini';
    const tools = Array.isArray(body.tools) ? (body.tools as ChatTool[]) : [];
    const choice = body.tool_choice;

    const forcedName = typeof choice === 'object' && choice !== null ? (choice as { function?: { name?: string } }).function?.name : undefined;
    if (forcedName && !tools.some((t) => t.function?.name === forcedName)) {
      oaiError(res, 400, `Invalid value for 'tool_choice': no function named '${forcedName}' was specified in the 'tools' parameter.`, 'invalid_request_error', 'invalid_value');
      return;
    }
    const tool = choice === 'none' ? undefined : forcedName ? tools.find((t) => t.function?.name === forcedName) : tools[0];
    const breakIt = invalidRate > 0 && gate.random() < invalidRate;
    const id = `chatcmpl-standin${(++counter).toString(36)}${fnv(userText).toString(36)}`;

    let message: Record<string, unknown>;
    let completionText: string;
    let finish = 'stop';
    if (tool?.function?.name) {
      const schema: JsonSchema = tool.function.parameters ?? { type: 'object', properties: {} };
      const value = generateFromSchema(schema, userText);
      let args = JSON.stringify(value);
      if (breakIt) {
        const enumPath = findEnumPath(schema, schema);
        if (enumPath && enumPath.length > 0 && gate.random() < 0.6) {
          // Out-of-enum value: valid JSON, wrong content.
          let target = value as Record<string, unknown>;
          for (const k of enumPath.slice(0, -1)) target = target[k] as Record<string, unknown>;
          target[enumPath[enumPath.length - 1]] = 'Something Else Entirely';
          args = JSON.stringify(value);
        } else {
          args = args.slice(0, Math.max(1, Math.floor(args.length / 2))); // truncated: not JSON
        }
      }
      message = {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call_${fnv(id).toString(36)}${counter.toString(36)}`, type: 'function', function: { name: tool.function.name, arguments: args } }],
        refusal: null,
      };
      completionText = args;
      if (!forcedName) finish = 'tool_calls';
    } else if (body.response_format?.type === 'json_schema' && body.response_format.json_schema?.schema) {
      completionText = JSON.stringify(generateFromSchema(body.response_format.json_schema.schema, userText));
      if (breakIt) completionText = completionText.slice(0, Math.floor(completionText.length / 2));
      message = { role: 'assistant', content: completionText, refusal: null };
    } else {
      completionText = generateFromSchema({ type: 'string', maxLength: 140 }, userText, undefined, '.reply') as string;
      message = { role: 'assistant', content: completionText, refusal: null };
    }

    const prompt = estimateTokens(promptText) + estimateTokens(JSON.stringify(tools));
    const completion = estimateTokens(completionText);
    res.json({
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_standin',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    });
  });

  router.use((_req, res) => oaiError(res, 404, 'Unknown request URL.', 'invalid_request_error', 'unknown_url'));

  app.use('/v1', router);
  // Malformed JSON bodies: OpenAI answers 400 with its error shape.
  app.use((err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (err && typeof err === 'object' && (err as { type?: string }).type === 'entity.parse.failed') {
      oaiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    next(err);
  });
  return { name: 'openai', app, gate, basePath: '/v1' };
}
