// The retention schedule: RETENTION (e.g. 30d) after they finish, sessions are forgotten by
// RetentionWorkflow, run hourly by a Temporal Schedule. Made (or brought in line with the setting)
// when a worker process starts; RETENTION=off deletes it.
import type { Client } from '@temporalio/client';
import { type ScheduleOutcome, ensureSchedule } from './ensureSchedule.js';
import { RETENTION_SCHEDULE_ID, type RetentionInput, type RetentionWorkflowType, WorkflowTypes } from '../contracts/index.js';

const EVERY_MS = 60 * 60 * 1000;

export function ensureRetentionSchedule(client: Client, { retentionMs, taskQueue }: { retentionMs?: number; taskQueue: string }): Promise<ScheduleOutcome> {
  const input: RetentionInput = { retentionMs: retentionMs ?? 0 };
  return ensureSchedule(client, {
    scheduleId: RETENTION_SCHEDULE_ID,
    everyMs: retentionMs === undefined ? undefined : EVERY_MS,
    action: { type: 'startWorkflow', workflowType: WorkflowTypes.retention, workflowId: 'showprint-retention-run', taskQueue, args: [input] as Parameters<RetentionWorkflowType> },
    purpose: 'forgets finished sessions older than RETENTION',
  });
}
