// Structured logs (pino). Temporal's runtime logger is routed here too, so SDK, workflow and
// activity log lines carry sessionId, workflowId and activity fields.
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { sessionIdOfWorkflowId } from '../contracts/messages.js';
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'showprint'): Logger {
  return pino({ name, level, base: { pid: process.pid }, redact: { paths: ['dataKey', '*.dataKey', 'input.dataKey'], censor: '[redacted]' } });
}


const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** A Temporal Logger that writes to pino, lifting the fields operators filter on. */
export function temporalLogger(logger: Logger, minimum: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'WARN'): DefaultLogger {
  return new DefaultLogger(minimum, (entry: LogEntry) => {
    const meta = (entry.meta ?? {}) as Record<string, unknown>;
    const fields = {
      ...meta,
      sessionId: sessionIdOfWorkflowId(meta.workflowId),
      workflowId: meta.workflowId,
      activity: meta.activityType,
    };
    logger[LEVELS[entry.level]](fields, entry.message);
  });
}
