// The control plane in the CLI: pause and resume a session, hold and release an external service,
// list the task queue's workers and drain one. Each is one API call (see README, "Operating showprint",
// for the `temporal` CLI equivalents).
import type { Command } from 'commander';
import type { SessionProgress } from '../contracts/index.js';
import type { ServiceStatus } from '../control/serviceStatus.js';
import type { TaskQueueView } from '../control/taskQueues.js';
import type { WorkerDrain } from '../control/workerDrains.js';
import type { createApiClient } from './apiClient.js';

type Api = () => ReturnType<typeof createApiClient>;

/** One line per service: rate, hold, circuits (also what `doctor` prints). */
export function formatServices(services: ServiceStatus[]): string[] {
  return services.map((s) => {
    const open = s.circuits.filter((c) => c.state === 'open').map((c) => c.worker);
    const adapted = s.currentRatePerSecond !== null && s.currentRatePerSecond < s.ratePerSecond! ? ` (now ${+s.currentRatePerSecond.toFixed(2)}/s)` : '';
    const rate = s.ratePerSecond === null ? 'not limited' : `${s.ratePerSecond}/s${adapted}`;
    const hold = s.hold ? `HELD since ${s.hold.heldAt} by ${s.hold.heldBy}${s.hold.reason ? ` (${s.hold.reason})` : ''}` : 'not held';
    return `${s.service.padEnd(9)} ${rate.padEnd(12)} ${hold}; circuit ${open.length ? `open on ${open.join(', ')}` : 'closed'}`;
  });
}

export function addControlCommands(program: Command, api: Api): void {
  const pausedLine = (sessionId: string, p: SessionProgress) =>
    `Session ${sessionId}: ${p.state}, ${p.paused ? `PAUSED since ${p.paused.since}${p.paused.reason ? ` (${p.paused.reason})` : ''}` : 'running'}`;

  program
    .command('pause')
    .description('Pause a session: it starts no new activity or child until resumed; in-flight work finishes (admin key)')
    .argument('<sessionId>')
    .option('--reason <text>', 'why, for the Web UI and other operators')
    .action(async (sessionId: string, opts: { reason?: string }) => {
      const res = await api().post<{ progress: SessionProgress }>(`/api/sessions/${encodeURIComponent(sessionId)}/pause`, opts.reason ? { reason: opts.reason } : {});
      console.log(pausedLine(sessionId, res.progress));
    });

  program
    .command('resume')
    .description('Resume a paused session (admin key)')
    .argument('<sessionId>')
    .action(async (sessionId: string) => {
      const res = await api().post<{ progress: SessionProgress }>(`/api/sessions/${encodeURIComponent(sessionId)}/resume`);
      console.log(pausedLine(sessionId, res.progress));
    });

  program
    .command('services')
    .description("Each external service: the shared limiter's rate, whether it is held, each worker's circuit")
    .option('--json', 'raw JSON')
    .action(async (opts: { json?: boolean }) => {
      const { services } = await api().get<{ services: ServiceStatus[] }>('/api/control/services');
      console.log(opts.json ? JSON.stringify(services, null, 2) : formatServices(services).join('\n'));
    });

  program
    .command('hold')
    .description('Hold an external service for everyone (tmdb, rt or wikidata): chunks wait without failing, and go on after `release` (admin key)')
    .argument('<service>')
    .option('--reason <text>', 'why, e.g. "RT is down"')
    .action(async (service: string, opts: { reason?: string }) => {
      await api().post(`/api/control/services/${encodeURIComponent(service)}/hold`, opts.reason ? { reason: opts.reason } : {});
      console.log(`${service} is held: no worker sends it a request until \`showprint release ${service}\`.`);
    });

  program
    .command('release')
    .description('Release a held service (admin key)')
    .argument('<service>')
    .action(async (service: string) => {
      await api().del(`/api/control/services/${encodeURIComponent(service)}/hold`);
      console.log(`${service} is released; held work goes on where it stopped.`);
    });

  program
    .command('workers')
    .description("The task queue's workers (pollers), backlog and rates, from Temporal's description of the queue")
    .option('--json', 'raw JSON')
    .action(async (opts: { json?: boolean }) => {
      const view = await api().get<TaskQueueView & { drains: WorkerDrain[] }>('/api/control/workers');
      if (opts.json) return console.log(JSON.stringify(view, null, 2));
      const rate = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)}/s`);
      console.log(`Task queue ${view.taskQueue}`);
      for (const kind of ['workflow', 'activity'] as const) {
        const q = view[kind];
        console.log(`  ${kind.padEnd(8)} backlog ${q.backlog ?? '–'} (oldest ${q.backlogAgeSeconds ?? 0} s), added ${rate(q.tasksAddRate)}, dispatched ${rate(q.tasksDispatchRate)}`);
      }
      const identities = [...new Set([...view.workflow.pollers, ...view.activity.pollers].map((p) => p.identity))];
      console.log(`Workers (${identities.length}):`);
      for (const id of identities) {
        const drain = view.drains.find((d) => d.identity === id);
        console.log(`  ${id}${drain ? (drain.drainedAt ? '  (drained)' : '  (draining)') : ''}`);
      }
    });

  program
    .command('drain')
    .description('Drain a worker by identity (see `showprint workers`): it stops polling, finishes in-flight work within its grace time and exits, as on SIGTERM (admin key)')
    .argument('<identity>')
    .action(async (identity: string) => {
      await api().post(`/api/control/workers/${encodeURIComponent(identity)}/drain`);
      console.log(`Drain requested for ${identity}; it stops within a few seconds (watch \`showprint workers\`).`);
    });
}
