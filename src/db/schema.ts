// Table types for Kysely. Shows, actors and cast are global (shared by all viewers);
// everything keyed by session_id belongs to one viewer's run.
import type { ColumnType, Generated } from 'kysely';
import type { SessionState, StageName } from '../contracts/index.js';
import type { BlendState } from '../contracts/blend.js';
import type { IdentifierType } from '../domain/identifiers.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in on insert but the app may set on update. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type LookupStatus = 'pending' | 'matched' | 'not_found' | 'failed';
/** How the crawl found a show's RT page: Wikidata's TMDB→RT id, a confirmed slug guess, or not on RT. */
export type RtMatch = 'wikidata' | 'slug' | 'not_found';
/** How a show was found on TMDB: by an IMDb or TVDB id Gandalf sent (/find), or by a name search. */
export type TmdbMatch = 'imdb' | 'tvdb' | 'name';
/** A service whose per-show lookups are single-flight (one claim per show; RT's covers Wikidata too). */
export type LookupService = 'tmdb' | 'rt';

export interface SessionsTable {
  id: string;
  workflow_id: string;
  data_source: string;
  state: SessionState;
  failure_reason: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  completed_at: Timestamp | null;
}

export interface ShowsTable {
  id: Generated<number>;
  /** showIdentityKey: showKey, plus " [us]" when the Netflix title had a region tag. */
  name_key: string;
  name: string;
  /** TMDB's original_name (e.g. the title in its own language), when TMDB matched the show. */
  original_name: string | null;
  /** ISO 3166-1 alpha-2 country of the Netflix title's region tag ("US" for "… (U.S.)"), else null. */
  region: string | null;
  tmdb_status: Generated<LookupStatus>;
  tmdb_id: number | null;
  /** Null when not matched, matched by the catalog crawler (by TMDB id), or matched before it was kept. */
  tmdb_match: TmdbMatch | null;
  tmdb_checked_at: Timestamp | null;
  tmdb_error: string | null;
  first_air_date: string | null;
  number_of_episodes: number | null;
  number_of_seasons: number | null;
  overview: string | null;
  poster_path: string | null;
  popularity: number | null;
  rt_status: Generated<LookupStatus>;
  rt_url: string | null;
  rt_match: RtMatch | null;
  rt_checked_at: Timestamp | null;
  rt_error: string | null;
  critics_score: number | null;
  audience_score: number | null;
}

/** An external id of a show: the first well-formed one per type Gandalf sent, else (IMDb) TMDB's. */
export interface ShowIdentifiersTable {
  show_id: number;
  identifier_type: IdentifierType;
  value: string;
}

export interface ShowGenresTable {
  show_id: number;
  genre: string;
}

export interface ActorsTable {
  id: number;
  name: string;
  popularity: number;
  profile_path: string | null;
}

export interface ShowCastTable {
  show_id: number;
  actor_id: number;
  character: string;
  episode_count: number;
  billing_order: number;
}

export interface SessionShowsTable {
  session_id: string;
  show_id: number;
  /** The fetch batch that first saw this show in this session: makes "new shows" retry-safe. */
  first_batch: number;
}

export interface EpisodesTable {
  session_id: string;
  show_id: number;
  season: string;
  title: string;
  /** Every date this episode was watched (rewatches keep their dates); null dates were invalid. */
  watched_on: ColumnType<string[], string[], string[]>;
  first_watched_on: string | null;
  last_watched_on: string | null;
}

export interface FilmsTable {
  session_id: string;
  title_key: string;
  title: string;
  watched_on: ColumnType<string[], string[], string[]>;
}

/** Dates Gandalf sent that do not exist on any calendar: reported, never guessed. */
export interface DateProblemsTable {
  session_id: string;
  activity_id: string;
  raw_date: string;
  reason: string;
}

/** One AI answer per session and question (quips, bff, star sign), with where it came from. */
export interface InsightsTable {
  session_id: string;
  kind: 'showQuips' | 'tvBff' | 'starSign';
  output: Json<unknown>;
  source: 'llm' | 'local';
  created_at: DefaultedTimestamp;
}

/** Shows that failed permanently in a session: listed for operators, who can re-drive them. */
export interface DeadLettersTable {
  session_id: string;
  show_id: number;
  stage: StageName;
  error: string;
  attempts: number;
  first_failed_at: DefaultedTimestamp;
  last_failed_at: DefaultedTimestamp;
  resolved_at: Timestamp | null;
}

/** One stored version of a session's report; never updated once inserted. */
export interface ReportVersionsTable {
  session_id: string;
  version: number;
  final: boolean;
  report: Json<unknown>;
  created_at: DefaultedTimestamp;
  /** Which build stored it (absent on versions stored before claims): a retry finds its version by it. */
  claim: string | null;
}

/** A session's share-link epoch: links are signed over it, so revoking them all is one increment. */
export interface ShareLinkEpochsTable {
  session_id: string;
  epoch: ColumnType<number, number | undefined, number>;
  revoked_at: Timestamp | null;
}

export interface ViewerTokenEpochsTable {
  session_id: string;
  epoch: ColumnType<number, number | undefined, number>;
  revoked_at: Timestamp | null;
}

export interface HandoffCodesTable {
  code_digest: string;
  session_id: string;
  epoch: number;
  token_expires_at: Timestamp;
  expires_at: Timestamp;
}

export interface RateLimitsTable {
  service: string;
  next_slot_at: Timestamp;
  /** The adaptive (AIMD) rate in requests per second; null = the configured rate. */
  current_rps: ColumnType<number | null, number | null | undefined, number | null>;
  /** When a 429 last cut current_rps: one cut per window, however many 429s one overload causes. */
  last_decrease_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The rate the service last refused (429/503): the limiter approaches it carefully; null: never refused. */
  learned_rps: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A POST /api/sessions answer kept for its Idempotency-Key; status null = still in progress. */
export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: number | null;
  response: Json<unknown> | null;
  location: string | null;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
}

/** A session's payload data key, wrapped under a master payload key (src/temporal/codec/sessionKeys.ts). */
export interface SessionKeysTable {
  session_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_key: Buffer;
  created_at: DefaultedTimestamp;
}

/** What forgetting a session leaves: no session id, only its digest and the destroyed key's id. */
export interface ErasedSessionKeysTable {
  session_digest: string;
  key_id: string | null;
  erased_at: DefaultedTimestamp;
}

/** An external service held for everyone by an operator (src/control/serviceHolds.ts). */
export interface ServiceHoldsTable {
  service: string;
  reason: string | null;
  held_by: string;
  held_at: DefaultedTimestamp;
}

/** A worker an operator asked to drain: it stops polling, finishes in-flight work, exits. */
export interface WorkerDrainsTable {
  identity: string;
  requested_by: string;
  requested_at: DefaultedTimestamp;
  drained_at: Timestamp | null;
}

/** A worker's circuit for a service, as of its last change. */
export interface ServiceCircuitsTable {
  service: string;
  worker: string;
  state: 'open' | 'closed';
  changed_at: DefaultedTimestamp;
}

export type CatalogCandidateStatus = 'new' | 'queued' | 'spare' | 'cached' | 'below_floor' | 'enriched' | 'skipped' | 'failed';

/** A TMDB id one catalog crawl has seen (activities/catalog*.ts); the crawl deletes its rows when it ends. */
export interface CatalogCandidatesTable {
  crawl_key: string;
  tmdb_id: number;
  round: number;
  is_seed: ColumnType<boolean, boolean | undefined, boolean>;
  name: string | null;
  popularity: number | null;
  status: CatalogCandidateStatus;
  chunk: number | null;
  error: string | null;
  created_at: DefaultedTimestamp;
}

/** A session's report over one period ("2025"), built beside an all-time version; never edited. */
export interface PeriodReportsTable {
  session_id: string;
  period: string;
  based_on_version: number;
  report: Json<unknown>;
  created_at: DefaultedTimestamp;
}

/** A Blend invitation viewer A made; its link is signed over the id (src/api/blend/invitations.ts). */
export interface BlendInvitationsTable {
  id: string;
  inviter_session_id: string;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** A Blend of two sessions; BlendWorkflow is the only writer of its state and report. */
export interface BlendsTable {
  id: string;
  invitation_id: string;
  /** The inviter's session, then the one that accepted. */
  session_a: string;
  session_b: string;
  state: BlendState;
  failure_reason: string | null;
  report: Json<unknown> | null;
  created_at: DefaultedTimestamp;
  completed_at: Timestamp | null;
}

export interface LookupClaimsTable {
  service: LookupService;
  show_id: number;
  owner: string;
  expires_at: Date;
}

export interface Database {
  sessions: SessionsTable;
  shows: ShowsTable;
  show_identifiers: ShowIdentifiersTable;
  show_genres: ShowGenresTable;
  actors: ActorsTable;
  show_cast: ShowCastTable;
  session_shows: SessionShowsTable;
  episodes: EpisodesTable;
  films: FilmsTable;
  date_problems: DateProblemsTable;
  insights: InsightsTable;
  dead_letters: DeadLettersTable;
  report_versions: ReportVersionsTable;
  share_link_epochs: ShareLinkEpochsTable;
  viewer_token_epochs: ViewerTokenEpochsTable;
  handoff_codes: HandoffCodesTable;
  service_holds: ServiceHoldsTable;
  worker_drains: WorkerDrainsTable;
  service_circuits: ServiceCircuitsTable;
  rate_limits: RateLimitsTable;
  idempotency_keys: IdempotencyKeysTable;
  session_keys: SessionKeysTable;
  erased_session_keys: ErasedSessionKeysTable;
  catalog_candidates: CatalogCandidatesTable;
  period_reports: PeriodReportsTable;
  blend_invitations: BlendInvitationsTable;
  blends: BlendsTable;
  lookup_claims: LookupClaimsTable;
}

