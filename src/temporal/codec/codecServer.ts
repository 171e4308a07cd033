// The Temporal remote codec server protocol, so the Web UI and the CLI can show decrypted payloads:
// POST …/encode and …/decode with `{payloads: [{metadata: {k: base64}, data: base64}]}` both ways.
// Mounted at /codec (Bearer API key, e.g. `temporal … --codec-auth "Bearer <key>"`) and at
// /codec/ui/<token> (the Web UI, which cannot send our key). apiGuard authenticates the caller.
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { PayloadKeyError } from '../../config/payloadKeys.js';
import { SessionErasedError } from './sessionKeys.js';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const codecBody = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() }))
    .max(10_000),
});

const toPayload = (p: z.infer<typeof codecBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const fromPayload = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** CORS for the Web UI's origin only; mounted before the API guard so even a 401 is readable there. */
export function codecCors(corsOrigins: string[]): RequestHandler {
  const allowed = new Set(corsOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin !== undefined) {
      res.vary('Origin');
      if (allowed.has(origin)) res.set('Access-Control-Allow-Origin', origin);
      else if (req.method === 'OPTIONS') return void res.status(403).json({ error: { code: 'cors_origin', message: `Origin ${origin} may not call the codec` } });
    }
    // Preflights carry no credentials: answered here, before authentication.
    if (req.method === 'OPTIONS') {
      res.set({
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
      return void res.status(204).end();
    }
    next();
  };
}

/** What the Web UI shows for a payload of a forgotten session (a JSON string). */
const ERASED_PLACEHOLDER: Payload = {
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify('[erased: this session was forgotten ("forget me"); its data is gone for good]')),
};

/** `access` is the API's rule for who may use the codec (a read key or a codec URL token). */
export function codecRouter({ codec, access }: { codec: PayloadCodec; access: RequestHandler }): Router {
  const router = Router();

  // A page of history can hold many payloads: a larger limit than the API's 16 kB, still bounded.
  router.use(express.json({ limit: '4mb' }));

  /**
   * The Web UI reads any answer but 200 as "Codec Server could not connect", and then shows nothing
   * of the workflow: for it an erased session's payload decodes to a line saying so, one by one.
   */
  const decodeForUi = (payloads: Payload[]) =>
    Promise.all(
      payloads.map(async (payload) => {
        try {
          return (await codec.decode([payload]))[0];
        } catch (error) {
          if (error instanceof SessionErasedError) return ERASED_PLACEHOLDER;
          throw error;
        }
      }),
    );

  const handle = (op: 'encode' | 'decode', forUi: boolean) => async (req: Request, res: Response) => {
    const { payloads } = codecBody.parse(req.body ?? {});
    try {
      const out = op === 'decode' && forUi ? await decodeForUi(payloads.map(toPayload)) : await codec[op](payloads.map(toPayload));
      res.json({ payloads: out.map(fromPayload) });
    } catch (error) {
      // Answered here in the API's error shape, so the Temporal plumbing needs nothing from src/api.
      // An erased session's payloads: gone for good, and said so plainly.
      if (error instanceof SessionErasedError) return void res.status(410).json({ error: { code: 'erased', message: error.message } });
      if (error instanceof PayloadKeyError) return void res.status(422).json({ error: { code: 'codec_failed', message: error.message } });
      throw error;
    }
  };
  for (const prefix of ['', '/ui/:token']) {
    router.post(`${prefix}/encode`, access, handle('encode', prefix !== ''));
    router.post(`${prefix}/decode`, access, handle('decode', prefix !== ''));
  }
  return router;
}
