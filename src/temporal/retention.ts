// The retention schedule: RETENTION (e.g. 30d) after they finish, sessions are forgotten by
// RetentionWorkflow, run hourly by a Temporal Schedule. Made (or brought in line with the setting)
// when a worker process starts; RETENTION=off deletes it.
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { RETENTION_SCHEDULE_ID, type RetentionInput, type RetentionWorkflowType, WorkflowTypes } from '../contracts/index.js';

const EVERY = '1h';

export async function ensureRetentionSchedule(client: Client, { retentionMs, taskQueue }: { retentionMs?: number; taskQueue: string }): Promise<'created' | 'updated' | 'deleted' | 'off'> {
  const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
  if (retentionMs === undefined) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'off';
      throw error;
    }
  }
  const input: RetentionInput = { retentionMs };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WorkflowTypes.retention,
    workflowId: 'showprint-retention-run',
    taskQueue,
    args: [input] as Parameters<RetentionWorkflowType>,
  };
  try {
    await handle.update((previous) => ({ ...previous, action }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: EVERY }] },
      action,
      // One sweep at a time; a missed hour is made up by the next.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      memo: { purpose: 'forgets finished sessions older than RETENTION' },
    });
    return 'created';
  } catch (error) {
    // Another worker made it a moment ago.
    if ((error as Error).name === 'ScheduleAlreadyRunning') return 'updated';
    throw error;
  }
}
