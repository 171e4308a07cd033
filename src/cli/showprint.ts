// The operator CLI: `npx showprint <command> --help`.
import { Client } from '@temporalio/client';
import { connectClient } from '../temporal/connection.js';
import { Worker } from '@temporalio/worker';
import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import got from 'got';
import { createGandalfClient } from '../clients/gandalf/client.js';
import { PermanentServiceError } from '../clients/errors.js';
import { createTmdbClient } from '../clients/tmdb.js';
import { createWikidataClient } from '../clients/wikidata.js';
import { type AppConfig, loadConfig, wikidataUrlFor } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import type { Report } from '../domain/report.js';
import type { YearReport } from '../domain/period.js';
import type { ServiceStatus } from '../control/serviceStatus.js';
import { loadPayloadEncryption } from '../temporal/codec/payloadKeyFile.js';
import { workflowsPath } from '../worker/createWorker.js';
import { type ForgetReceipt, GandalfErrors, SEARCH_ATTRIBUTES, SESSION_STATES, type SessionProgress, type SessionState, isTerminalState, sessionWorkflowId } from '../contracts/index.js';
import { ApiError, createApiClient } from './apiClient.js';
import { addCatalogCommands } from './catalogCommands.js';
import { addControlCommands, formatServices } from './controlCommands.js';
import { aiStepsDone, formatProgressLine, formatReceipt, formatReport, formatReportChanges, formatYearReport, progressStages } from './format.js';

interface SessionView {
  sessionId: string;
  state: SessionState;
  failureReason?: string | null;
  progress: SessionProgress | null;
}

const config: AppConfig = loadConfig();
const program = new Command('showprint')
  .description('Operate showprint: start and watch sessions, read reports, re-drive failures, replay histories, check the setup.')
  .addOption(new Option('--api <url>', 'showprint API base URL').env('SHOWPRINT_API_URL').default(`http://127.0.0.1:${config.port}`))
  .addOption(new Option('--api-key <key>', 'API key for mutating calls (default: SHOWPRINT_API_KEY or the local key npm start made)'))
  .showHelpAfterError();

const api = () => {
  const opts = program.opts<{ api: string; apiKey?: string }>();
  return createApiClient({ apiUrl: opts.api, apiKey: opts.apiKey, dataDir: config.dataDir });
};

async function watch(sessionId: string): Promise<SessionView> {
  const client = api();
  const tty = process.stdout.isTTY;
  const bars = tty
    ? new cliProgress.MultiBar({ format: ' {stage} |{bar}| {value}/{total} {note}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
    : undefined;
  const rows = new Map<string, cliProgress.SingleBar>();
  const row = (stage: string, done: number, total: number, note = '') => {
    if (!bars) return;
    let bar = rows.get(stage);
    if (!bar) rows.set(stage, (bar = bars.create(Math.max(total, 1), 0, { stage: stage.padEnd(10), note })));
    bar.setTotal(Math.max(total, 1));
    bar.update(done, { stage: stage.padEnd(10), note });
  };
  const say = (text: string) => (bars ? bars.log(`${text}\n`) : console.log(text));
  let last = '';
  /** The report version printed last: a provisional one in full, then what each later one changed. */
  let shown: Report | undefined;
  const showReport = async (version?: number) => {
    if (version !== undefined && shown?.version !== undefined && version <= shown.version) return;
    const report = await client.get<Report>(`/api/sessions/${encodeURIComponent(sessionId)}/report`);
    if (shown && shown.version === report.version) return;
    say(shown ? formatReportChanges(shown, report) : formatReport(report));
    shown = report;
  };
  for (;;) {
    const view = await client.get<SessionView>(`/api/sessions/${encodeURIComponent(sessionId)}`);
    const p = view.progress;
    if (p?.report) await showReport(p.report.version);
    if (p) {
      const st = p.stages;
      row('fetch', st.fetch.done, st.fetch.total, `pages · ${st.fetch.activities} activities`);
      for (const { name, label } of progressStages(p)) row(label, st[name].done, st[name].total, st[name].failed ? `${st[name].failed} failed` : '');
      row('ai', aiStepsDone(p), 3, `${p.state}${p.etaSeconds ? ` · eta ${p.etaSeconds}s` : ''}`);
      if (!tty) {
        const line = formatProgressLine(p);
        if (line !== last) console.log(line);
        last = line;
      }
    }
    if (isTerminalState(view.state)) {
      if (view.state === 'COMPLETED') await showReport();
      bars?.stop();
      console.log(view.state === 'COMPLETED' ? `Session ${sessionId} completed.` : `Session ${sessionId} failed: ${view.failureReason ?? 'unknown reason'}`);
      return view;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

program
  .command('start')
  .description('Start a session for a dataKey (or without one: it waits for `connect`)')
  .argument('[dataKey]', 'the Gandalf dataKey (default: DEMO_DATA_KEY)', config.demoDataKey)
  .option('--session-id <id>', 'choose the session id (starting it twice finds the same session)')
  .option('--no-watch', 'return at once instead of watching progress')
  .action(async (dataKey: string | undefined, opts: { sessionId?: string; watch: boolean }) => {
    const res = await api().post<{ sessionId: string; workflowId: string; created: boolean }>('/api/sessions', { dataKey, ...(opts.sessionId ? { sessionId: opts.sessionId } : {}) });
    console.log(`${res.created ? 'Started' : 'Already running:'} session ${res.sessionId} (workflow ${res.workflowId})`);
    if (opts.watch) await watch(res.sessionId);
  });

program
  .command('watch')
  .description('Live progress bars per stage until the session finishes; the provisional report when it lands, then what the final one changed')
  .argument('<sessionId>')
  .action(async (sessionId: string) => {
    const view = await watch(sessionId);
    if (view.state === 'FAILED') process.exitCode = 1;
  });

program
  .command('report')
  .description("Print a session's report (the latest version, or --version N), or one year of it (--year 2025)")
  .argument('<sessionId>')
  .option('--json', 'raw JSON')
  .option('--version <n>', 'an earlier version')
  .option('--year <yyyy>', 'your year in TV: one calendar year, from the rows already stored')
  .action(async (sessionId: string, opts: { json?: boolean; version?: string; year?: string }) => {
    if (opts.version && opts.year) throw new Error('--version and --year do not go together: a year report is built beside the latest version');
    const path = `/api/sessions/${encodeURIComponent(sessionId)}/report`;
    if (opts.year) {
      const report = await api().get<YearReport>(`${path}?year=${encodeURIComponent(opts.year)}`);
      return void console.log(opts.json ? JSON.stringify(report, null, 2) : formatYearReport(report));
    }
    const qs = opts.version ? `?version=${encodeURIComponent(opts.version)}` : '';
    const report = await api().get<Report>(`${path}${qs}`);
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
  });

program
  .command('list')
  .description('List sessions, newest first')
  .addOption(new Option('--state <state>', 'only sessions in this state').choices(SESSION_STATES))
  .option('--limit <n>', 'how many', '20')
  .action(async (opts: { state?: string; limit: string }) => {
    const qs = new URLSearchParams({ limit: opts.limit, ...(opts.state ? { state: opts.state } : {}) });
    const { sessions } = await api().get<{ sessions: { sessionId: string; state: string; failureReason: string | null; createdAt: string }[] }>(`/api/sessions?${qs}`);
    if (sessions.length === 0) return console.log('No sessions.');
    for (const s of sessions) console.log(`${s.createdAt}  ${s.state.padEnd(19)} ${s.sessionId}${s.failureReason ? `  (${s.failureReason})` : ''}`);
  });

program
  .command('cancel')
  .description('Cancel a session: its children and activities stop, and it ends FAILED "cancelled"')
  .argument('<sessionId>')
  .action(async (sessionId: string) => {
    await api().post(`/api/sessions/${encodeURIComponent(sessionId)}/cancel`);
    console.log(`Cancellation requested for ${sessionId}.`);
  });

program
  .command('forget')
  .description('Erase a session for good ("forget me"): its rows, schedule and running workflows go, and its payload key is destroyed so its histories can never be read (needs an admin key)')
  .argument('<sessionId>')
  .action(async (sessionId: string) => {
    const res = await api().del<{ receipt?: ForgetReceipt; forgetWorkflowId?: string }>(`/api/sessions/${encodeURIComponent(sessionId)}`);
    if (!res.receipt) return console.log(`Erasing ${sessionId}; it finishes in workflow ${res.forgetWorkflowId} (run this again for the receipt).`);
    console.log(formatReceipt(res.receipt));
  });

program
  .command('retry-failed')
  .description("List a session's failed shows and re-drive them (the report is updated)")
  .argument('<sessionId>')
  .option('--list-only', 'only list them')
  .action(async (sessionId: string, opts: { listOnly?: boolean }) => {
    const id = encodeURIComponent(sessionId);
    const { failures } = await api().get<{ failures: { show: string; stage: string; attempts: number; error: string }[] }>(`/api/sessions/${id}/failures`);
    if (failures.length === 0) return console.log('No failed shows.');
    for (const f of failures) console.log(`${f.stage.padEnd(9)} ${f.show}  (${f.attempts} attempts) ${f.error}`);
    if (opts.listOnly) return;
    const res = await api().post<{ workflowId: string }>(`/api/sessions/${id}/failures/redrive`);
    console.log(`Re-driving ${failures.length} shows in workflow ${res.workflowId}.`);
  });

const schedule = program.command('schedule').description('Recurring refresh of a completed session (a Temporal Schedule; overlap policy SKIP)');
schedule
  .command('create')
  .description('Refresh the session every <duration>: only newer activity is fetched, then the report is rebuilt')
  .argument('<sessionId>')
  .argument('<dataKey>', 'the viewer\'s dataKey (kept only in the schedule, encrypted in Temporal)')
  .option('--every <duration>', 'interval, e.g. 6h or 1d', '1d')
  .action(async (sessionId: string, dataKey: string, opts: { every: string }) => {
    const res = await api().post<{ scheduleId: string }>(`/api/sessions/${encodeURIComponent(sessionId)}/schedule`, { dataKey, every: opts.every });
    console.log(`Schedule ${res.scheduleId} refreshes ${sessionId} every ${opts.every}.`);
  });
schedule
  .command('show')
  .argument('<sessionId>')
  .action(async (sessionId: string) => console.log(JSON.stringify(await api().get(`/api/sessions/${encodeURIComponent(sessionId)}/schedule`), null, 2)));
for (const action of ['pause', 'resume'] as const) {
  schedule
    .command(action)
    .argument('<sessionId>')
    .action(async (sessionId: string) => {
      await api().post(`/api/sessions/${encodeURIComponent(sessionId)}/schedule/${action}`);
      console.log(`Schedule for ${sessionId} ${action === 'pause' ? 'paused' : 'resumed'}.`);
    });
}
schedule
  .command('delete')
  .argument('<sessionId>')
  .action(async (sessionId: string) => {
    await api().del(`/api/sessions/${encodeURIComponent(sessionId)}/schedule`);
    console.log(`Schedule for ${sessionId} deleted.`);
  });

addCatalogCommands(program, api);

addControlCommands(program, api);

program
  .command('replay')
  .description("Export a session's histories (every run, every child) and replay them against the current workflow code")
  .argument('<sessionId>')
  .option('--address <host:port>', 'Temporal frontend (default: the configured server or profile, else the local dev server)')
  .action(async (sessionId: string, opts: { address?: string }) => {
    const connection = await connectClient(opts.address ?? config.temporal.target ?? `127.0.0.1:${config.temporal.port}`);
    try {
      const client = new Client({ connection, namespace: config.temporal.namespace });
      const parent = sessionWorkflowId(sessionId);
      const executions = [];
      for await (const e of client.workflow.list({ query: `WorkflowId STARTS_WITH "${parent}"` })) executions.push(e);
      if (executions.length === 0) throw new Error(`No workflows for session ${sessionId} at ${opts.address ?? config.temporal.address ?? `127.0.0.1:${config.temporal.port}`}`);
      const histories = await Promise.all(
        executions.map(async (e) => ({ workflowId: e.workflowId, history: await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory() })),
      );
      let failed = 0;
      // The histories' payloads are encrypted: replay decodes them with the same keys as the workers.
      // Sessions' payloads are sealed with their own keys, kept in the database: an erased session replays nowhere.
      const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
      try {
        const { dataConverter } = loadPayloadEncryption({ payloadKeys: config.security.payloadKeys, dataDir: config.dataDir, db: db.db });
        for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: `replay-${sessionId}`, dataConverter }, histories)) {
          if (result.error) failed++;
          console.log(`${result.error ? '✗' : '✓'} ${result.workflowId} ${result.runId}${result.error ? `: ${result.error.message}` : ''}`);
        }
      } finally {
        await db.close();
      }
      console.log(failed ? `${failed} of ${histories.length} histories are not deterministic with this code.` : `All ${histories.length} histories replay deterministically.`);
      if (failed) process.exitCode = 1;
    } finally {
      await connection.close();
    }
  });

program
  .command('doctor')
  .description('Check the Temporal server, the database, the API and each external service, and say what to fix')
  .action(async () => {
    const results: { ok: boolean; what: string; fix?: string }[] = [];
    const check = async (what: string, run: () => Promise<string | void>, fix: string) => {
      try {
        const detail = await run();
        results.push({ ok: true, what: detail ? `${what}: ${detail}` : what });
      } catch (error) {
        results.push({ ok: false, what: `${what}: ${(error as Error).message}`, fix });
      }
    };
    const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
    await check(`Temporal server at ${address}`, async () => {
      const connection = await connectClient(config.temporal.target ?? address, { connectTimeout: 3000 });
      try {
        const info = await connection.workflowService.getSystemInfo({});
        const attrs = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
        const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (attrs.customAttributes ?? {})));
        if (missing.length) throw new Error(`search attributes not registered: ${missing.join(', ')}`);
        return `server ${info.serverVersion}, search attributes registered`;
      } finally {
        await connection.close();
      }
    }, 'Run `npm start` (it starts a dev server), or set TEMPORAL_ADDRESS; register search attributes with `temporal operator search-attribute create`.');
    if (config.databaseUrl) {
      await check('PostgreSQL (DATABASE_URL)', async () => {
        const db = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 });
        await db.close();
        return 'connected, migrations current';
      }, 'Check DATABASE_URL and that PostgreSQL is running.');
    } else {
      results.push({ ok: true, what: `Database: embedded PGlite in ${config.dataDir}/pglite (owned by the running app; not opened here)` });
    }
    await check(`API at ${program.opts<{ api: string }>().api}`, async () => {
      await api().get('/healthz');
      const ready = await fetch(`${program.opts<{ api: string }>().api}/readyz`);
      if (ready.status !== 200) throw new Error(`not ready: ${JSON.stringify(((await ready.json()) as { checks?: unknown }).checks)}`);
      return 'ready (database, migrations, Temporal)';
    }, 'Start it with `npm start` (or `npm run api`), or pass --api.');
    // What the workers see of each service: holds and open circuits are worth a look.
    await check('External services as the workers see them', async () => {
      const { services } = await api().get<{ services: ServiceStatus[] }>('/api/control/services');
      const trouble = services.filter((s) => s.hold || s.circuits.some((c) => c.state === 'open'));
      const lines = formatServices(services).map((l) => `\n    ${l}`).join('');
      if (trouble.length > 0) throw new Error(`${trouble.map((s) => s.service).join(', ')} held or failing:${lines}`);
      return `none held, every circuit closed${lines}`;
    }, 'Release a hold with `showprint release <service>` once the service is back; an open circuit closes by itself when the service answers.');
    const s = config.services;
    const timeoutMs = 5000;
    if (s.gandalfUrl) {
      await check(`Gandalf at ${s.gandalfUrl}`, async () => {
        // No demo key to fall back on: without the real one, the signature cannot be checked.
        if (!s.gandalfPrivateKey) throw new Error('GANDALF_PRIVATE_KEY is not set');
        const gandalf = createGandalfClient({ url: s.gandalfUrl!, privateKeyHex: s.gandalfPrivateKey, timeoutMs });
        try {
          await gandalf.getActivityPage('showprint-doctor-probe', 1, 1);
          return 'reachable';
        } catch (error) {
          // An unknown key is the expected answer: it proves reachability and an accepted signature.
          if (error instanceof PermanentServiceError && error.type === GandalfErrors.recordNotFound) return 'reachable, signature accepted';
          throw error;
        }
      }, 'Check GANDALF_URL and GANDALF_PRIVATE_KEY (INVALID_SIGNATURE means the key is not the one Gandalf knows).');
    } else results.push({ ok: true, what: 'Gandalf: GANDALF_URL unset, `npm start` runs the stand-in' });
    if (s.tmdbUrl) {
      await check(`TMDB at ${s.tmdbUrl}`, async () => {
        await createTmdbClient({ url: s.tmdbUrl!, apiKey: s.tmdbApiKey ?? '', timeoutMs }).searchTv('doctor');
        return 'reachable, key accepted';
      }, 'Check TMDB_URL and TMDB_API_KEY.');
    } else results.push({ ok: true, what: 'TMDB: TMDB_URL unset, `npm start` runs the stand-in' });
    if (s.rtUrl) {
      await check(`Rotten Tomatoes at ${s.rtUrl}`, async () => {
        const res = await got(`${s.rtUrl!.replace(/\/$/, '')}/robots.txt`, { headers: { 'user-agent': s.rtUserAgent }, timeout: { request: timeoutMs }, throwHttpErrors: false, retry: { limit: 0 } });
        if (res.statusCode !== 200) throw new Error(`robots.txt answered HTTP ${res.statusCode}`);
        return 'reachable (robots.txt)';
      }, 'Check RT_URL and the network.');
      const wikidataUrl = wikidataUrlFor(s.rtUrl, { configured: s.wikidataUrl });
      if (wikidataUrl) {
        await check(`Wikidata at ${wikidataUrl}`, async () => {
          // Game of Thrones' TMDB id: a lookup that has an answer, so it proves the agent is accepted too.
          const ids = await createWikidataClient({ url: wikidataUrl, userAgent: s.wikidataUserAgent, timeoutMs }).rtIdsForTmdbIds([1399]);
          return `reachable, agent accepted (${ids.size} of 1 probe ids mapped)`;
        }, 'Check WIKIDATA_URL, and that WIKIDATA_USER_AGENT names the app and a contact (Wikimedia answers generic agents with 403).');
      } else results.push({ ok: true, what: 'Wikidata: no endpoint for this RT_URL, so RT pages are found by slug guesses only (set WIKIDATA_URL)' });
    } else results.push({ ok: true, what: 'Rotten Tomatoes and Wikidata: RT_URL unset, `npm start` runs the stand-ins' });
    if (s.openaiBaseUrl) {
      await check(`LLM at ${s.openaiBaseUrl}`, async () => {
        const res = await got(`${s.openaiBaseUrl!.replace(/\/$/, '')}/models`, { headers: { authorization: `Bearer ${s.openaiApiKey ?? ''}` }, timeout: { request: timeoutMs }, throwHttpErrors: false, retry: { limit: 0 } });
        if (res.statusCode === 401) throw new Error('the key was rejected (401)');
        if (res.statusCode >= 500) throw new Error(`HTTP ${res.statusCode}`);
        return `reachable (HTTP ${res.statusCode})`;
      }, 'Check OPENAI_BASE_URL and OPENAI_API_KEY; without them the local engine answers.');
    } else results.push({ ok: true, what: 'LLM: OPENAI_BASE_URL unset, the local engine answers' });

    for (const r of results) console.log(`${r.ok ? '✓' : '✗'} ${r.what}${r.fix ? `\n    → ${r.fix}` : ''}`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof ApiError ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});
