// What `showprint workers` shows: the task queue's pollers (each a worker identity), its backlog
// and its rates, read from Temporal's own description of the queue (DescribeTaskQueue).
import type { Client } from '@temporalio/client';

export interface QueueKindView {
  pollers: { identity: string; lastAccessTime: string | null; ratePerSecond: number }[];
  backlog: number | null;
  backlogAgeSeconds: number | null;
  tasksAddRate: number | null;
  tasksDispatchRate: number | null;
}

export interface TaskQueueView {
  taskQueue: string;
  workflow: QueueKindView;
  activity: QueueKindView;
}

const seconds = (d: { seconds?: unknown; nanos?: number | null } | null | undefined) => (d ? Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9 : null);

/** temporal.api.enums.v1.TaskQueueType: WORKFLOW = 1, ACTIVITY = 2. */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

async function describeKind(client: Client, taskQueue: string, type: 1 | 2): Promise<QueueKindView> {
  const res = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: type, reportStats: true });
  const stats = res.stats;
  return {
    pollers: (res.pollers ?? []).map((p) => ({
      identity: p.identity ?? '?',
      lastAccessTime: p.lastAccessTime ? new Date(Number(p.lastAccessTime.seconds ?? 0) * 1000).toISOString() : null,
      ratePerSecond: p.ratePerSecond ?? 0,
    })),
    backlog: stats ? Number(stats.approximateBacklogCount ?? 0) : null,
    backlogAgeSeconds: stats ? seconds(stats.approximateBacklogAge) : null,
    tasksAddRate: stats?.tasksAddRate ?? null,
    tasksDispatchRate: stats?.tasksDispatchRate ?? null,
  };
}

export async function describeTaskQueue(client: Client, taskQueue: string): Promise<TaskQueueView> {
  const [workflow, activity] = await Promise.all([describeKind(client, taskQueue, TASK_QUEUE_TYPE.workflow), describeKind(client, taskQueue, TASK_QUEUE_TYPE.activity)]);
  return { taskQueue, workflow, activity };
}
