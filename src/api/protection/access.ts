// Who may call a route. The guard (middleware.ts) finds out who is calling; each route declares
// what it needs with `allow(policy)`, which also leaves the policy on the route so the access test
// can read every route's rule off the app itself (test/api/access.test.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { OperatorScope } from '../../config/apiKeys.js';

/** The caller, once the guard has looked: `res.locals.principal`. */
export type Principal =
  | { kind: 'anonymous'; /** Demo mode: the page may start sessions without a key. */ mayStartSessions: boolean }
  | { kind: 'operator'; keyId: string; scopes: readonly OperatorScope[] }
  | { kind: 'viewer'; sessionId: string; via: 'cookie' | 'header'; /** The token's epoch and end: what a hand-off it asks for inherits. */ epoch: number; expiresAt: Date }
  | { kind: 'codec'; keyId: string };

export interface AccessPolicy {
  /** Anyone: the page shell, health checks, demo keys, the signed callback. */
  public?: true;
  /** The operator scope that opens the route. */
  scope?: OperatorScope;
  /** The viewer token of the route's `:id` session opens it too. */
  viewer?: true;
  /** A codec URL token opens it (the Web UI's codec endpoint). */
  codecToken?: true;
  /** Without a key when the server runs in demo mode (ALLOW_ANONYMOUS_SESSIONS). */
  demoAnonymous?: true;
  /**
   * Whoever the route does not open (no credential, another viewer, a key without the scope) gets the
   * route's own 404, as if the thing did not exist: a Blend must not tell outsiders it is there.
   */
  hidden?: true;
}

export type AccessHandler = RequestHandler & { policy: AccessPolicy };

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? { kind: 'anonymous', mayStartSessions: false };
}

const refuse = (res: Response, status: number, code: string, message: string, challenge?: string) => {
  if (challenge) res.set('WWW-Authenticate', challenge);
  res.status(status).json({ error: { code, message } });
};

export function unauthorized(res: Response, message: string, invalid: boolean) {
  refuse(res, 401, 'unauthorized', message, invalid ? 'Bearer realm="showprint", error="invalid_token"' : 'Bearer realm="showprint"');
}

/** Another viewer's session looks exactly like one that does not exist, so ids cannot be probed. */
export function notFoundForViewer(res: Response, sessionId: string) {
  refuse(res, 404, 'not_found', `No session ${sessionId}`);
}

export function insufficientScope(res: Response, needed: string) {
  refuse(res, 403, 'insufficient_scope', `This endpoint needs ${needed}`, `Bearer realm="showprint", error="insufficient_scope", scope="${needed}"`);
}

/** The one answer a hidden route gives everyone it does not open (and the route gives for what does not exist). */
export function notFoundBlend(res: Response, blendId: string) {
  refuse(res, 404, 'not_found', `No blend ${blendId}`);
}

export function allow(policy: AccessPolicy): AccessHandler {
  const needs = [policy.scope && `an operator key with the "${policy.scope}" scope`, policy.viewer && "the session's viewer token"].filter(Boolean).join(' or ');
  const handler = (req: Request, res: Response, next: NextFunction) => {
    if (policy.public) return next();
    const who = principalOf(res);
    if (policy.hidden) {
      const opens = who.kind === 'operator' ? !!policy.scope && who.scopes.includes(policy.scope) : who.kind === 'viewer' && !!policy.viewer && req.params.id === who.sessionId;
      return opens ? next() : notFoundBlend(res, String(req.params.blendId ?? ''));
    }
    switch (who.kind) {
      case 'operator':
        if (policy.scope && who.scopes.includes(policy.scope)) return next();
        return insufficientScope(res, policy.scope ?? needs);
      case 'viewer':
        if (!policy.viewer) return insufficientScope(res, needs);
        if (req.params.id !== who.sessionId) return notFoundForViewer(res, String(req.params.id ?? ''));
        return next();
      case 'codec':
        if (policy.codecToken) return next();
        return unauthorized(res, 'A codec token only opens /codec', true);
      case 'anonymous':
        if (policy.demoAnonymous && who.mayStartSessions) return next();
        return unauthorized(res, `This endpoint needs ${needs}: send Authorization: Bearer <key or viewer token>`, false);
    }
  };
  return Object.assign(handler, { policy });
}
