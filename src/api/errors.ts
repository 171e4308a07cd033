// One error shape for every endpoint: {error: {code, message}}. Unknown errors never leak details.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { SessionErasedError } from '../temporal/codec/sessionKeys.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  void _next;
  if (error instanceof HttpError) {
    res.status(error.status).json({ error: { code: error.code, message: error.message } });
  } else if (error instanceof ZodError) {
    const message = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    res.status(400).json({ error: { code: 'invalid_request', message } });
  } else if (error instanceof SessionErasedError) {
    res.status(409).json({ error: { code: 'session_erased', message: 'This session id was erased ("forget me") and cannot be used again; start a new session' } });
  } else if (error instanceof WorkflowNotFoundError) {
    res.status(404).json({ error: { code: 'not_found', message: 'No such session' } });
  } else if (error?.type === 'entity.parse.failed') {
    res.status(400).json({ error: { code: 'invalid_json', message: 'The request body is not valid JSON' } });
  } else if (error?.type === 'entity.too.large') {
    res.status(413).json({ error: { code: 'body_too_large', message: 'The request body is too large' } });
  } else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
    res.status(error.status).json({ error: { code: 'bad_request', message: String(error.message ?? 'Bad request') } });
  } else {
    console.error('unhandled API error', error);
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on our side' } });
  }
};
