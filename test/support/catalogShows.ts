// Puts a catalog show into the database as if TMDB had matched it (first-air date, original name and
// cast included), and builds the crawl activity over loopback stand-ins: the starting point of the
// crawl-activity tests.
import { type CrawlDeps, createCrawlActivities } from '../../activities/crawl.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { DEFAULT_RETRY, createServiceCaller } from '../../src/clients/retry.js';
import { createRobotsPolicy } from '../../src/clients/robots.js';
import { createWikidataClient } from '../../src/clients/wikidata.js';
import type { Db } from '../../src/db/index.js';
import type { Catalog, CatalogShow } from '../../standins/index.js';

export const TEST_USER_AGENT = 'showprint-test/0.1 (+https://example.invalid/showprint; tests)';

export async function insertMatchedShow(db: Db, catalog: Catalog, show: CatalogShow, nameKey: string): Promise<number> {
  const { id } = await db
    .insertInto('shows')
    .values({ name_key: nameKey, name: show.name, original_name: show.originalName, first_air_date: show.firstAirDate, tmdb_status: 'matched', tmdb_id: show.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [order, member] of show.cast.entries()) {
    const actor = catalog.actorById.get(member.actorId)!;
    await db.insertInto('actors').values({ id: actor.id, name: actor.name, popularity: actor.popularity, profile_path: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await db.insertInto('show_cast').values({ show_id: id, actor_id: actor.id, character: member.character, episode_count: member.episodeCount, billing_order: order }).execute();
  }
  return id;
}

/** The crawl activity as the worker builds it, without rate limits unless `rtRps`; no wikidataUrl = slug guesses only. */
export function testCrawlActivities(
  db: Db,
  urls: { rt: string; wikidata?: string },
  options: { maxRequestRetries?: number; rtRps?: number; throttlePatienceMs?: number; reportThrottled?: CrawlDeps['reportThrottled'] } = {},
) {
  const policy = { ...DEFAULT_RETRY, throttlePatienceMs: options.throttlePatienceMs ?? DEFAULT_RETRY.throttlePatienceMs };
  const caller = createServiceCaller(createDbRateLimiter(db, options.rtRps ? { rt: options.rtRps } : {}), undefined, policy);
  return createCrawlActivities({
    db,
    caller,
    wikidata: urls.wikidata ? createWikidataClient({ url: urls.wikidata, userAgent: TEST_USER_AGENT, timeoutMs: 5000 }) : undefined,
    robots: createRobotsPolicy({ service: 'rt', userAgent: TEST_USER_AGENT, caller, timeoutMs: 5000 }),
    rtUrl: urls.rt,
    userAgent: TEST_USER_AGENT,
    maxConcurrency: 4,
    maxRequestRetries: options.maxRequestRetries,
    reportThrottled: options.reportThrottled,
  });
}
