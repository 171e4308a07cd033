// A session's report versions: inserted once each, never edited; the latest is the one to show.
// Their numbers are given in one place, storeNextReportVersion, whoever builds them (the session
// workflow, a re-drive, a refresh), so two builds never take the same number.
import { sql } from 'kysely';
import type { Db } from './index.js';
import type { Report } from '../domain/report.js';

/** The latest version, or a given one; undefined when there is none (yet). */
export async function readReport(db: Db, sessionId: string, version?: number): Promise<Report | undefined> {
  let q = db.selectFrom('report_versions').select('report').where('session_id', '=', sessionId);
  q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  const row = await q.executeTakeFirst();
  return row?.report as Report | undefined;
}

/** The latest version's number and finality, without its report (what the event stream announces). */
export async function latestReportVersion(db: Db, sessionId: string): Promise<{ version: number; final: boolean } | undefined> {
  return db.selectFrom('report_versions').select(['version', 'final']).where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/**
 * Numbers and stores a version: the next after the latest stored, under a lock per session. `claim`
 * names the build (a retry sends the same one): a version already stored under it is returned as it
 * is, never built or numbered again.
 */
export async function storeNextReportVersion(db: Db, sessionId: string, claim: string, build: (version: number, trx: Db) => Promise<Report>): Promise<Report> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`report_versions:${sessionId}`}))`.execute(trx);
    const claimed = await trx.selectFrom('report_versions').select('report').where('session_id', '=', sessionId).where('claim', '=', claim).executeTakeFirst();
    if (claimed) return claimed.report as Report;
    const latest = await trx.selectFrom('report_versions').select((eb) => eb.fn.max('version').as('latest')).where('session_id', '=', sessionId).executeTakeFirst();
    // Built inside the transaction (one connection: PGlite has no other to give).
    const report = await build(Number(latest?.latest ?? 0) + 1, trx);
    await trx
      .insertInto('report_versions')
      .values({ session_id: sessionId, version: report.version, final: report.final, report: JSON.stringify(report), created_at: report.generatedAt, claim })
      .execute();
    return report;
  });
}
