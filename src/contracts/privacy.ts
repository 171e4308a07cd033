// "Forget me" and retention: the inputs, the receipt a viewer gets, and the ids of the workflows
// and schedule that do it (workflows/forget.ts, workflows/retention.ts).

/** Who asked: the viewer's own token, an operator's admin key, or the retention schedule. */
export type ForgetRequester = 'viewer' | 'operator' | 'retention';

export interface ForgetInput {
  sessionId: string;
  requestedBy: ForgetRequester;
  /** The operator key's id (a fingerprint, never the key) when an operator asked. */
  operatorKeyId?: string;
}

/** What forgetting erased, for the viewer to keep. Holds no personal data: counts and ids. */
export interface ForgetReceipt {
  sessionId: string;
  requestedBy: ForgetRequester;
  /** Which operator key asked, when one did. */
  operatorKeyId?: string;
  /** ISO time the session's payload key was destroyed. */
  erasedAt: string;
  /** The destroyed payload key's id (none if the session never wrote an encrypted payload). */
  keyIds: string[];
  /** Rows deleted, by table. The shared show catalogue is kept: it holds no viewer data. */
  rowsDeleted: Record<string, number>;
  /** Workflows of the session that were still running and were closed. */
  workflowsClosed: string[];
  /** Whether a refresh schedule existed and was deleted. */
  scheduleDeleted: boolean;
  /** What stays, and why. */
  kept: string[];
}

export interface RetentionInput {
  /** Finished sessions older than this are forgotten. */
  retentionMs: number;
  /** At most this many per run; the next run takes the rest. */
  batch?: number;
}

export interface RetentionOutcome {
  forgotten: number;
  failed: number;
}

export const forgetWorkflowId = (sessionId: string) => `forget-${sessionId}`;
export const RETENTION_SCHEDULE_ID = 'showprint-retention';
