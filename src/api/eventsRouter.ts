// GET /api/sessions/:id/events — live progress as server-sent events: `progress`, a `report` event
// for each new report version, and `done` at the end.
// Every workflow query is a billed Temporal action, so all clients watching one session share ONE
// poller; it reads the free database projection first and stops at a terminal state or when the
// last client leaves.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Response } from 'express';
import type { Db } from '../db/index.js';
import { type ReportVersionRef, type SessionProgress, type SessionState, isTerminalState, progressQuery } from '../contracts/index.js';
import { latestReportVersion } from '../db/reportVersions.js';
import { HttpError } from './errors.js';
import { findSession, parseSessionId, readSessionState } from './sessionLookup.js';
import { type Principal, allow, principalOf } from './protection/access.js';

export interface EventsOptions {
  /** Time between two polls of one session (default 1 s). */
  pollIntervalMs?: number;
  /** Time between two keep-alive comments (default 15 s), so proxies don't drop an idle stream. */
  heartbeatMs?: number;
  /** Called once per workflow query (tests count them; metrics could too). */
  onPoll?: (sessionId: string) => void;
  /** Open streams one caller (a key, a viewer's session, an address) may hold at once (default 8). */
  maxStreamsPerCaller?: number;
}

export interface EventsDeps extends EventsOptions {
  client: Client;
  db: Db;
}

export interface EventsStats {
  /** Workflow queries made since the router was built. */
  polls: number;
  /** Sessions with a running poller right now. */
  activePollers: number;
  /** Connected clients over all sessions. */
  clients: number;
}

export interface DonePayload {
  state: SessionState;
  failureReason: string | null;
}



/** One poller and its listeners, per session. */
interface Hub {
  sessionId: string;
  workflowId: string;
  clients: Set<Response>;
  timer?: NodeJS.Timeout;
  heartbeat?: NodeJS.Timeout;
  /** The last progress sent, so a client joining mid-way sees it at once. */
  last?: string;
  /** The last report version announced (a `report` event), likewise. */
  lastReport?: string;
  reportVersion: number;
  stopped: boolean;
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function eventsRouter(deps: EventsDeps): Router & { stats(): EventsStats } {
  const { client, db, pollIntervalMs = 1000, heartbeatMs = 15_000, onPoll, maxStreamsPerCaller = 8 } = deps;
  const hubs = new Map<string, Hub>();
  /** Open streams per caller: a stream holds a socket and a share of a poller for as long as it likes. */
  const openStreams = new Map<string, number>();
  const callerOf = (who: Principal, ip: string) =>
    who.kind === 'operator' || who.kind === 'codec' ? `key:${who.keyId}` : who.kind === 'viewer' ? `viewer:${who.sessionId}` : `ip:${ip}`;
  let polls = 0;

  async function latestVersion(sessionId: string): Promise<ReportVersionRef | null> {
    return (await latestReportVersion(db, sessionId)) ?? null;
  }

  function stop(hub: Hub) {
    hub.stopped = true;
    clearTimeout(hub.timer);
    clearInterval(hub.heartbeat);
    if (hubs.get(hub.sessionId) === hub) hubs.delete(hub.sessionId);
  }

  function broadcast(hub: Hub, text: string) {
    for (const res of hub.clients) res.write(text);
  }

  /** A `report` event for each version newer than the last one announced. */
  function announceReport(hub: Hub, ref: ReportVersionRef | null | undefined) {
    if (!ref || ref.version <= hub.reportVersion) return;
    hub.reportVersion = ref.version;
    hub.lastReport = frame('report', ref);
    broadcast(hub, hub.lastReport);
  }

  function finish(hub: Hub, done: DonePayload) {
    stop(hub);
    broadcast(hub, frame('done', done));
    for (const res of hub.clients) res.end();
    hub.clients.clear();
  }

  /** The projection row (or, right after a start, the workflow's own view of it); undefined once gone. */
  async function readRow(sessionId: string) {
    return findSession(db, client, sessionId).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw error;
    });
  }

  async function tick(hub: Hub) {
    try {
      // The projection is free to read; only query the workflow while the session still runs.
      const row = await readRow(hub.sessionId);
      if (hub.stopped) return;
      if (!row) return finish(hub, { state: 'FAILED', failureReason: 'This session no longer exists' });
      // The row decides whether it is over; the live progress is this stream's one shared query (below).
      const { state, failureReason } = await readSessionState(client, row, { live: false });
      if (isTerminalState(state)) {
        // The final version lands just before the state does: a poll may not have seen it.
        announceReport(hub, await latestVersion(hub.sessionId));
        return finish(hub, { state, failureReason });
      }
      // A session waiting for its dataKey has nothing new to say until the row moves on (up to a day).
      const idle = state === 'AWAITING_CONNECTION' && hub.last !== undefined;
      if (!idle) await pollWorkflow(hub, failureReason);
    } catch (error) {
      // A failed poll is retried on the next tick; the stream stays open.
      console.warn('progress poll failed', hub.sessionId, error instanceof Error ? error.message : error);
    }
    if (!hub.stopped) {
      hub.timer = setTimeout(() => void tick(hub), pollIntervalMs);
      hub.timer.unref();
    }
  }

  /** One workflow query (a billed action), shared by every listener of the session. */
  async function pollWorkflow(hub: Hub, failureReason: string | null) {
    polls++;
    onPoll?.(hub.sessionId);
    let progress: SessionProgress;
    try {
      progress = await client.workflow.getHandle(hub.workflowId).query(progressQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        return finish(hub, { state: 'FAILED', failureReason: failureReason ?? 'The session’s workflow no longer exists' });
      }
      throw error;
    }
    if (hub.stopped) return;
    const text = frame('progress', progress);
    if (text !== hub.last) {
      hub.last = text;
      broadcast(hub, text);
    }
    announceReport(hub, progress.report);
  }

  function join(sessionId: string, workflowId: string, res: Response) {
    let hub = hubs.get(sessionId);
    if (!hub) {
      const fresh: Hub = { sessionId, workflowId, clients: new Set([res]), stopped: false, reportVersion: 0 };
      // A comment line keeps idle connections open through proxies; clients ignore it.
      fresh.heartbeat = setInterval(() => broadcast(fresh, ': heartbeat\n\n'), heartbeatMs);
      fresh.heartbeat.unref();
      hubs.set(sessionId, fresh);
      hub = fresh;
      void tick(fresh);
    } else {
      hub.clients.add(res);
      if (hub.last) res.write(hub.last);
      if (hub.lastReport) res.write(hub.lastReport);
    }
    const joined = hub;
    res.on('close', () => {
      joined.clients.delete(res);
      if (joined.clients.size === 0 && !joined.stopped) stop(joined);
    });
  }

  const router = Router();
  router.get('/:id/events', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const id = parseSessionId(req.params.id);
    const row = await readRow(id);
    if (!row) throw new HttpError(404, 'not_found', `No session ${id}`);
    // The client may have left while we read the row; its 'close' has fired already.
    if (req.socket.destroyed) return;
    const caller = callerOf(principalOf(res), req.ip ?? 'unknown');
    const open = openStreams.get(caller) ?? 0;
    if (open >= maxStreamsPerCaller) {
      res.set('Retry-After', '5');
      throw new HttpError(429, 'too_many_streams', `At most ${maxStreamsPerCaller} progress streams may be open at once; close one first`);
    }
    openStreams.set(caller, open + 1);
    res.on('close', () => {
      const left = (openStreams.get(caller) ?? 1) - 1;
      if (left > 0) openStreams.set(caller, left);
      else openStreams.delete(caller);
    });

    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // Reconnect after 3 s if the connection drops mid-session.
    res.write('retry: 3000\n\n');
    const { state, failureReason } = await readSessionState(client, row, { live: false });
    if (isTerminalState(state)) {
      const latest = await latestVersion(id);
      if (latest) res.write(frame('report', latest));
      res.end(frame('done', { state, failureReason } satisfies DonePayload));
      return;
    }
    join(id, row.workflow_id, res);
  });

  return Object.assign(router, {
    stats: (): EventsStats => ({
      polls,
      activePollers: hubs.size,
      clients: [...hubs.values()].reduce((n, h) => n + h.clients.size, 0),
    }),
  });
}
