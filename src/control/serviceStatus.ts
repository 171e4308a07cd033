// Each external service as operators see it: its limiter rate, whether it is held, and every
// worker's circuit. Workers publish their circuit changes here; the API, /metrics and
// `showprint doctor` read them.
import type { Db } from '../db/index.js';
import { AIMD, type ServiceName } from '../clients/rateLimiter.js';
import { type ServiceHold, listHolds } from './serviceHolds.js';

export interface ServiceStatus {
  service: string;
  /** Requests per second the shared limiter allows (null: not limited). */
  ratePerSecond: number | null;
  /** The adaptive rate it spaces requests by now: below ratePerSecond after 429s (null: not limited). */
  currentRatePerSecond: number | null;
  /** The earliest time the next request may go (the limiter's shared slot), if it has been used. */
  nextSlotAt: string | null;
  hold: Omit<ServiceHold, 'service'> | null;
  /** Each worker's circuit as of its last change; a worker never seen to fail has none. */
  circuits: { worker: string; state: 'open' | 'closed'; changedAt: string }[];
}

export async function publishCircuit(db: Db, worker: string, service: string, state: 'open' | 'closed'): Promise<void> {
  await db
    .insertInto('service_circuits')
    .values({ service, worker, state })
    .onConflict((oc) => oc.columns(['service', 'worker']).doUpdateSet({ state, changed_at: new Date() }))
    .execute();
}

export async function serviceStatus(db: Db, rates: Partial<Record<ServiceName, number>>): Promise<ServiceStatus[]> {
  const [holds, circuits, slots] = await Promise.all([
    listHolds(db),
    db.selectFrom('service_circuits').selectAll().orderBy('worker').execute(),
    db.selectFrom('rate_limits').selectAll().execute(),
  ]);
  const services = [...new Set<string>([...Object.keys(rates), ...holds.map((h) => h.service), ...circuits.map((c) => c.service)])].sort();
  return services.map((service) => {
    const hold = holds.find((h) => h.service === service);
    const slot = slots.find((s) => s.service === service);
    const rate = rates[service as ServiceName] ?? null;
    return {
      service,
      ratePerSecond: rate,
      // The limiter's own clamp: the configured rate is the ceiling, AIMD.floorShare of it the floor.
      currentRatePerSecond:
        rate === null ? null : slot?.current_rps == null ? rate : +Math.max(rate * AIMD.floorShare, Math.min(rate, slot.current_rps)).toFixed(3),
      nextSlotAt: slot && slot.next_slot_at.getTime() > 0 ? slot.next_slot_at.toISOString() : null,
      hold: hold ? { reason: hold.reason, heldBy: hold.heldBy, heldAt: hold.heldAt } : null,
      circuits: circuits.filter((c) => c.service === service).map((c) => ({ worker: c.worker, state: c.state, changedAt: c.changed_at.toISOString() })),
    };
  });
}

/** The same, as Prometheus text for /metrics. */
export function serviceStatusMetrics(statuses: ServiceStatus[]): string {
  const lines = [
    '# HELP showprint_service_held Whether an operator holds the external service for everyone (1) or not (0).',
    '# TYPE showprint_service_held gauge',
    ...statuses.map((s) => `showprint_service_held{service="${s.service}"} ${s.hold ? 1 : 0}`),
    '# HELP showprint_limiter_rate_per_second Requests per second the shared limiter allows the service.',
    '# TYPE showprint_limiter_rate_per_second gauge',
    ...statuses.filter((s) => s.ratePerSecond !== null).map((s) => `showprint_limiter_rate_per_second{service="${s.service}"} ${s.ratePerSecond}`),
    '# HELP showprint_limiter_current_rate_per_second Requests per second the shared limiter spaces requests by now (cut by 429s, raised by successes).',
    '# TYPE showprint_limiter_current_rate_per_second gauge',
    ...statuses.filter((s) => s.currentRatePerSecond !== null).map((s) => `showprint_limiter_current_rate_per_second{service="${s.service}"} ${s.currentRatePerSecond}`),
    '# HELP showprint_service_circuits_open Workers whose circuit for the service is open.',
    '# TYPE showprint_service_circuits_open gauge',
    ...statuses.map((s) => `showprint_service_circuits_open{service="${s.service}"} ${s.circuits.filter((c) => c.state === 'open').length}`),
  ];
  return `${lines.join('\n')}\n`;
}
