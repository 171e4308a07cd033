// The audit trail of acts on a viewer's session that are not reads: erasing, logging out every
// device, revoking share links, cancelling, pausing. Each line names who acted: the operator key's
// id (a fingerprint, never the key) or the session's own viewer. One JSON line per act, on its own
// logger, so it can be shipped and kept apart from the rest.
import type { Response } from 'express';
import type { Logger } from 'pino';
import { createLogger } from '../../observability/logger.js';
import { principalOf } from './access.js';

export interface AuditLine {
  action: 'forget' | 'revoke_viewer_tokens' | 'revoke_share_links' | 'cancel' | 'pause' | 'resume' | 'revoke_blend_invitation';
  sessionId: string;
  /** `key:<id>` for an operator key, `viewer` for the session's own token. */
  actor: string;
}

export type AuditSink = (line: AuditLine) => void;

let fallback: Logger | undefined;
/** Where audit lines go unless the app is given a sink (tests pass one). */
export const defaultAuditSink: AuditSink = (line) => (fallback ??= createLogger('info', 'showprint-audit')).info({ audit: true, ...line }, `audit ${line.action}`);

/** Who acted, as an audit line names them. */
export function actorOf(res: Response): string {
  const who = principalOf(res);
  return who.kind === 'operator' ? `key:${who.keyId}` : who.kind;
}
