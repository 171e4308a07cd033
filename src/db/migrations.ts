// Migrations live in code so the app, the tests and CI all run the same ones at start-up.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { SESSION_STATES } from '../contracts/index.js';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('data_source', 'text', (c) => c.notNull().defaultTo('NETFLIX'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addColumn('progress', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('completed_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('sessions_created_at').on('sessions').column('created_at').execute();

      await db.schema
        .createTable('shows')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('tmdb_status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('tmdb_id', 'integer')
        .addColumn('tmdb_checked_at', 'timestamptz')
        .addColumn('tmdb_error', 'text')
        .addColumn('first_air_date', 'text')
        .addColumn('number_of_episodes', 'integer')
        .addColumn('number_of_seasons', 'integer')
        .addColumn('overview', 'text')
        .addColumn('poster_path', 'text')
        .addColumn('popularity', 'double precision')
        .addColumn('rt_status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('rt_url', 'text')
        .addColumn('rt_checked_at', 'timestamptz')
        .addColumn('rt_error', 'text')
        .addColumn('critics_score', 'integer')
        .addColumn('audience_score', 'integer')
        .execute();

      await db.schema
        .createTable('show_genres')
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id').onDelete('cascade'))
        .addColumn('genre', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('show_genres_pk', ['show_id', 'genre'])
        .execute();

      await db.schema
        .createTable('actors')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('popularity', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('profile_path', 'text')
        .execute();

      await db.schema
        .createTable('show_cast')
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id').onDelete('cascade'))
        .addColumn('actor_id', 'integer', (c) => c.notNull().references('actors.id'))
        .addColumn('character', 'text', (c) => c.notNull())
        .addColumn('episode_count', 'integer', (c) => c.notNull())
        .addColumn('billing_order', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('show_cast_pk', ['show_id', 'actor_id'])
        .execute();
      await db.schema.createIndex('show_cast_actor').on('show_cast').column('actor_id').execute();

      await db.schema
        .createTable('session_shows')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id'))
        .addColumn('first_batch', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_shows_pk', ['session_id', 'show_id'])
        .execute();
      await db.schema.createIndex('session_shows_batch').on('session_shows').columns(['session_id', 'first_batch']).execute();

      await db.schema
        .createTable('episodes')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id'))
        .addColumn('season', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('watched_on', sql`text[]`, (c) => c.notNull())
        .addColumn('first_watched_on', 'text')
        .addColumn('last_watched_on', 'text')
        .addPrimaryKeyConstraint('episodes_pk', ['session_id', 'show_id', 'season', 'title'])
        .execute();

      await db.schema
        .createTable('films')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('title_key', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('watched_on', sql`text[]`, (c) => c.notNull())
        .addPrimaryKeyConstraint('films_pk', ['session_id', 'title_key'])
        .execute();

      await db.schema
        .createTable('date_problems')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('activity_id', 'text', (c) => c.notNull())
        .addColumn('raw_date', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('date_problems_pk', ['session_id', 'activity_id'])
        .execute();

      await db.schema
        .createTable('insights')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('output', 'jsonb', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('insights_pk', ['session_id', 'kind'])
        .execute();

      await db.schema
        .createTable('reports')
        .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('report', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('service', 'text', (c) => c.primaryKey())
        .addColumn('next_slot_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  '0003_dead_letters': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dead_letters')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('first_failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('resolved_at', 'timestamptz')
        .addPrimaryKeyConstraint('dead_letters_pk', ['session_id', 'show_id', 'stage'])
        .execute();
    },
  },
  '0002_idempotency_keys': {
    // POST /api/sessions answers replayed by Idempotency-Key (24 h), scoped per API key.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('response', 'jsonb')
        .addColumn('location', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_expires_at').on('idempotency_keys').column('expires_at').execute();
    },
  },
  '0004_show_region': {
    // The country of the Netflix title's region tag ("Big Brother (U.S.)" → US), the hint that picks
    // between same-named TMDB shows. Tagged shows get their own row (name_key "big brother [us]",
    // see showIdentityKey); untagged rows keep their keys and a null region. Nothing to backfill:
    // rows stored before this kept no tag.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('shows').addColumn('region', 'text').execute();
    },
  },
  '0005_show_rt_match': {
    // How the crawl found each show's RT page (wikidata, slug or not_found; null while pending or
    // failed), and TMDB's original name, which the slug guesses are also built from.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('shows')
        .addColumn('rt_match', 'text', (c) => c.check(sql`rt_match in ('wikidata', 'slug', 'not_found')`))
        .addColumn('original_name', 'text')
        .execute();
    },
  },
  '0006_session_states': {
    // The states a session row may hold are the contract's (SESSION_STATES), checked by the database
    // too; the `progress` column was never written (live progress comes from the workflow's query).
    async up(db: Kysely<unknown>) {
      const states = sql.join(SESSION_STATES.map((state) => sql.lit(state)));
      await db.schema.alterTable('sessions').addCheckConstraint('sessions_state_known', sql`state in (${states})`).execute();
      await db.schema.alterTable('sessions').dropColumn('progress').execute();
    },
  },
  '0007_session_keys': {
    // Crypto-shredding (src/temporal/codec/sessionKeys.ts): each session's payload data key, wrapped
    // under a master payload key; and the tombstones forgetting leaves, so an erased session's payloads
    // answer "erased" and its id cannot quietly get a new key. A tombstone names no session.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('session_keys')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull().unique())
        .addColumn('master_key_id', 'text', (c) => c.notNull())
        .addColumn('wrapped_key', 'bytea', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('erased_session_keys')
        .addColumn('session_digest', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.unique())
        .addColumn('erased_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '0008_report_versions': {
    // A report is a series of versions that are never edited once stored (a provisional one at the
    // deadline, then rebuilds): report_versions replaces the one-row-per-session `reports`, whose rows
    // become version 1, final. The session gains the PROVISIONAL_REPORT_READY state. Share links of a
    // session are signed over its share epoch: revoking them all is one increment.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('report_versions')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
        .addColumn('final', 'boolean', (c) => c.notNull())
        .addColumn('report', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('report_versions_pk', ['session_id', 'version'])
        .execute();
      await sql`insert into report_versions (session_id, version, final, report, created_at)
        select session_id, 1, true, report || '{"version": 1, "final": true}'::jsonb, updated_at from reports`.execute(db);
      await db.schema.dropTable('reports').execute();

      const states = sql.join(SESSION_STATES.map((state) => sql.lit(state)));
      await db.schema.alterTable('sessions').dropConstraint('sessions_state_known').execute();
      await db.schema.alterTable('sessions').addCheckConstraint('sessions_state_known', sql`state in (${states})`).execute();

      await db.schema
        .createTable('share_link_epochs')
        .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('epoch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked_at', 'timestamptz')
        .execute();
    },
  },
  '0009_operator_controls': {
    // The control plane's shared flags (src/control): a service held for everyone, which every
    // worker's limiter honours; a worker asked to drain, which that worker watches for; and each
    // worker's circuit per service, published on every change so the API can show them.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('service_holds')
        .addColumn('service', 'text', (c) => c.primaryKey())
        .addColumn('reason', 'text')
        .addColumn('held_by', 'text', (c) => c.notNull())
        .addColumn('held_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('worker_drains')
        .addColumn('identity', 'text', (c) => c.primaryKey())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('drained_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('service_circuits')
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('worker', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'closed')`))
        .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('service_circuits_pk', ['service', 'worker'])
        .execute();
    },
  },
  '0010_catalog_crawls': {
    // The catalog crawler's memory of one crawl (workflows/catalog.ts): every TMDB id it has seen,
    // the round that found it, and what became of it. The workflow's history then carries counts,
    // never id lists, and dedup holds across rounds, continue-as-new and worker restarts. A crawl
    // deletes its rows when it ends.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('catalog_candidates')
        .addColumn('crawl_key', 'text', (c) => c.notNull())
        .addColumn('tmdb_id', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('is_seed', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('name', 'text')
        .addColumn('popularity', 'double precision')
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('new', 'queued', 'spare', 'cached', 'below_floor', 'enriched', 'skipped', 'failed')`),
        )
        .addColumn('chunk', 'integer')
        .addColumn('error', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('catalog_candidates_pk', ['crawl_key', 'tmdb_id'])
        .execute();
      await db.schema.createIndex('catalog_candidates_round').on('catalog_candidates').columns(['crawl_key', 'round', 'chunk']).execute();
    },
  },
  '0011_adaptive_rate_limits': {
    // The limiter's adaptive rate (src/clients/rateLimiter.ts), shared by every worker in the same
    // row as the slot: cut on a 429, raised by successes, never above the configured rate.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('rate_limits').addColumn('current_rps', 'double precision').execute();
      await db.schema.alterTable('rate_limits').addColumn('last_decrease_at', 'timestamptz').execute();
    },
  },
  '0012_viewer_access': {
    // Viewer access that can be taken back (src/api/protection/viewerTokens.ts, handoffCodes.ts): a
    // token epoch per session (revoking moves it on: every device is logged out) and one-time,
    // short-lived hand-off codes, stored only as digests and traded once for a viewer cookie.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('viewer_token_epochs')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('epoch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('handoff_codes')
        .addColumn('code_digest', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('epoch', 'integer', (c) => c.notNull())
        .addColumn('token_expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('handoff_codes_session').on('handoff_codes').column('session_id').execute();
    },
  },
  '0012_limiter_learned_rate': {
    // The rate at which the service last refused us: the limiter approaches it carefully instead of
    // climbing by a share of the configured rate (issue 23: a real limit far below the configured one).
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('rate_limits').addColumn('learned_rps', 'double precision').execute();
    },
  },
  '0012_show_identifiers': {
    // The external ids Gandalf sends with an activity (IMDb, TVDB, TVmaze…), and TMDB's IMDb id for a
    // matched show: a show with an IMDb or TVDB id is found on TMDB by /find instead of by its name, and
    // on Wikidata by P345 as well as P4983. tmdb_match records which way TMDB matched it, for the
    // report's dataQuality.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('show_identifiers')
        .addColumn('show_id', 'integer', (c) => c.notNull().references('shows.id').onDelete('cascade'))
        .addColumn('identifier_type', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('show_identifiers_pk', ['show_id', 'identifier_type'])
        .execute();
      await db.schema.alterTable('shows').addColumn('tmdb_match', 'text').execute();
    },
  },
  '0013_pipeline_report_claims': {
    // Report versions get their numbers in one place, the database (storeNextReportVersion): a build
    // names itself by a claim (the session's claim number, or a re-drive's or refresh's activity), so
    // a retried build finds its version instead of storing a second one.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('report_versions').addColumn('claim', 'text').execute();
      await db.schema.createIndex('report_versions_claim').unique().on('report_versions').columns(['session_id', 'claim']).where(sql.ref('claim'), 'is not', null).execute();
    },
  },
  '0013_blend_period_reports': {
    // "Your year in TV": one stored report per session, year and the all-time version it was built
    // beside (a report of its own kind, from stored rows only; src/db/periodReports.ts).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('period_reports')
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('based_on_version', 'integer', (c) => c.notNull())
        .addColumn('report', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('period_reports_pk', ['session_id', 'period', 'based_on_version'])
        .execute();
    },
  },
  '0013_blend_blends': {
    // Blends of two viewers (src/contracts/blend.ts): invitations viewer A can revoke, and the Blends
    // their acceptance starts. Rows name sessions without a foreign key: forgetting either session
    // erases its Blends itself (activities/blend.ts), payload key included.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('blend_invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('inviter_session_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('blend_invitations_inviter').on('blend_invitations').column('inviter_session_id').execute();
      await db.schema
        .createTable('blends')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('invitation_id', 'text', (c) => c.notNull())
        .addColumn('session_a', 'text', (c) => c.notNull())
        .addColumn('session_b', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addColumn('report', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('completed_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('blends_session_a').on('blends').column('session_a').execute();
      await db.schema.createIndex('blends_session_b').on('blends').column('session_b').execute();
      // One Blend per pair and invitation: accepting twice finds the first.
      await db.schema.createIndex('blends_invitation_pair').on('blends').columns(['invitation_id', 'session_b']).unique().execute();
    },
  },
  '0013_perf_lookup_claims': {
    // Single-flight lookups (src/db/lookupClaims.ts): a show being looked up on a service for one
    // session is claimed here, so another session (on any worker) waits for its stored outcome
    // instead of asking again. A claim expires unless its holder renews it: a dead holder strands nothing.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lookup_claims')
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('show_id', 'integer', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('lookup_claims_pk', ['service', 'show_id'])
        .execute();
    },
  },
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** Migrations this code knows that the database has not run (what /readyz reports). */
export async function pendingMigrations(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations(), allowUnorderedMigrations: true });
  return (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  // Unordered: migrations added on parallel branches may land in either order.
  const migrator = new Migrator({ db, provider: new InCodeMigrations(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? 'unknown error'}`);
  }
}
