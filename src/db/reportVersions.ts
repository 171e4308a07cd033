// A session's report versions: inserted once each, never edited; the latest is the one to show.
// The session workflow is their only writer (through buildReport), re-drives and refreshes append.
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
 * Stores a version under the number it carries. A retried activity finds its version already there
 * and keeps it: a stored version is never overwritten. Returns whether this call stored it.
 */
export async function storeReportVersion(db: Db, report: Report): Promise<boolean> {
  const result = await db
    .insertInto('report_versions')
    .values({ session_id: report.sessionId, version: report.version, final: report.final, report: JSON.stringify(report), created_at: report.generatedAt })
    .onConflict((oc) => oc.columns(['session_id', 'version']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The number after the latest stored version (for re-drives and refreshes, which append). */
export async function nextReportVersion(db: Db, sessionId: string): Promise<number> {
  const row = await db.selectFrom('report_versions').select((eb) => eb.fn.max('version').as('latest')).where('session_id', '=', sessionId).executeTakeFirst();
  return Number(row?.latest ?? 0) + 1;
}
