// The enrichment pipeline, declared once: the stages a session's shows go through after the fetch,
// in order. The session runs one chunk window per row, the children run a row's activity, and
// progress, dead letters, write-offs, re-drive, refresh, the catalog, the page and the CLI all read
// this table (through stages.ts). Adding a stage is a row here (plus its activity, client, stand-in, columns and card):
// nothing in the session's lanes names a stage. Workflow-safe: plain data.

/** The columns a stage keeps on a `shows` row: `<prefix>_status`, `<prefix>_error`, `<prefix>_checked_at`. */
export type ShowColumnPrefix = 'tmdb' | 'rt';

export interface StageRow {
  /** The stage's name: its key in a session's snapshot and progress, and its dead letters' stage. */
  readonly name: string;
  /** What the page and the CLI call it. */
  readonly label: string;
  /** The external service it asks (for throttling and operators). */
  readonly service: string;
  /**
   * The stage whose matched shows it takes (RT needs a TMDB match: the cast to match on); null for
   * the first stage, which takes every show the fetch found. A show the needed stage did not match
   * is finished for this stage. (A stage whose activity lists no matches, like the crawl, passes on
   * every show it was given.)
   */
  readonly needs: string | null;
  /** The activity that runs a list of shows through the stage (a session's child, refresh, re-drive). */
  readonly activity: string;
  /** The catalog crawl's variant of it (gives way to viewers first); absent: the catalog runs `activity`. The catalog runs the first stage its own way. */
  readonly catalogActivity?: string;
  /** The child workflow type a session starts per chunk, and the signal it reports back with. */
  readonly workflowType: string;
  readonly signal: string;
  /** The segment of the child's workflow id: `<session workflow id>/<segment>/<chunk>`. */
  readonly childIdSegment: string;
  /** Share of the overall progress bar (with the fetch's 0.25 and the AI steps' 0.05 each). */
  readonly weight: number;
  /** The stage name its dead letters carry. */
  readonly deadLetterStage: string;
  /** Its columns on a `shows` row, and what a write-off clears besides them. */
  readonly showColumns: ShowColumnPrefix;
  readonly clearOnWriteOff: readonly string[];
  /**
   * For a stage added while sessions run: the patch id that keeps it out of sessions begun before it
   * (their replay must not start its children). A session runs the stages its first run took.
   */
  readonly patch?: string;
}

export const PIPELINE = [
  {
    name: 'showData',
    label: 'show data',
    service: 'tmdb',
    needs: null,
    activity: 'enrichShows',
    workflowType: 'ShowDataWorkflow',
    signal: 'chunkEnriched',
    childIdSegment: 'show-data',
    weight: 0.3,
    deadLetterStage: 'showData',
    showColumns: 'tmdb',
    clearOnWriteOff: [],
  },
  {
    name: 'crawl',
    label: 'crawl',
    service: 'rt',
    needs: 'showData',
    activity: 'crawlShows',
    catalogActivity: 'crawlCatalogShows',
    workflowType: 'CrawlWorkflow',
    signal: 'chunkCrawled',
    childIdSegment: 'crawl',
    weight: 0.3,
    deadLetterStage: 'crawl',
    showColumns: 'rt',
    clearOnWriteOff: ['rt_match', 'rt_url', 'critics_score', 'audience_score'],
  },
] as const satisfies readonly StageRow[];

export type StageName = (typeof PIPELINE)[number]['name'];
