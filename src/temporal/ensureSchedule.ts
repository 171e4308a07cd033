// A schedule kept in line with a setting: every worker start creates it, updates it, or (setting
// off) deletes it. Overlap SKIP and a one-minute catch-up: a run still going makes the next one
// redundant, and a missed run is not made up (the next one does the same work).
import { type Client, type ScheduleOptionsAction, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Priority } from '@temporalio/common';

/** The SDK sends a start action's priority, though its option type (1.24) does not list it. */
type StartAction = ScheduleOptionsAction & { priority?: Priority };

export type ScheduleOutcome = 'created' | 'updated' | 'deleted' | 'off';

export async function ensureSchedule(
  client: Client,
  opts: { scheduleId: string; /** undefined: no schedule (deleted if there is one). */ everyMs?: number; action: StartAction; purpose: string },
): Promise<ScheduleOutcome> {
  const handle = client.schedule.getHandle(opts.scheduleId);
  if (opts.everyMs === undefined) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'off';
      throw error;
    }
  }
  const spec = { intervals: [{ every: opts.everyMs }] };
  try {
    await handle.update((previous) => ({ ...previous, spec, action: opts.action }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  try {
    await client.schedule.create({
      scheduleId: opts.scheduleId,
      spec,
      action: opts.action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      memo: { purpose: opts.purpose },
    });
    return 'created';
  } catch (error) {
    // Another worker made it a moment ago.
    if ((error as Error).name === 'ScheduleAlreadyRunning') return 'updated';
    throw error;
  }
}
