// The show pipeline, written once: shows go through the stage table's stages in order, each stage
// taking what the stage it needs matched. A session's chunk child runs one stage of it; refresh,
// re-drive and the catalog run the whole of it (or what is left after a stage they ran their own way).
import { type ShowsInput, type StageName, type StageOutcome, type StageRow, STAGES, stagesNeeding } from '../src/contracts/index.js';

/** Runs one stage's activity over a list of shows (a proxy of the row's `activity`, or the catalog's variant). */
export type StageRunner = (row: StageRow & { name: StageName }, input: ShowsInput) => Promise<StageOutcome>;

/** A proxy of activities, looked up by the table's activity names. */
export type StageActivities = Record<string, (input: ShowsInput) => Promise<StageOutcome>>;

export const runByActivity =
  (activities: object): StageRunner =>
  (row, input) => {
    const activity = (activities as StageActivities)[row.activity];
    if (!activity) throw new Error(`stage ${row.name}: no activity named ${row.activity}`);
    return activity(input);
  };

/**
 * The shows `outcome` passes on to the stages needing its stage: its matches, or (a stage whose
 * activity lists none, such as the crawl) every show it was given.
 */
export const passedOn = (outcome: StageOutcome, given: number[]): number[] => outcome.matchedShowIds ?? given;

/** What a stage reports: its matches only when some stage needs them. */
export function stageReport(row: StageRow & { name: StageName }, outcome: StageOutcome, given: number[]): StageOutcome {
  const needed = stagesNeeding(row.name).length > 0;
  return { done: outcome.done, failed: outcome.failed, ...(outcome.matchedShowIds || needed ? { matchedShowIds: passedOn(outcome, given) } : {}) };
}

export interface PipelineRun {
  /** Shows a stage takes besides what the stage it needs matched (the first stage: the shows to run; a re-drive: dead letters). */
  start: Partial<Record<StageName, number[]>>;
  /** Stages the caller already ran its own way (the catalog's first stage), with what they matched. */
  ran?: Partial<Record<StageName, { showIds: number[]; outcome: StageOutcome }>>;
}

/** Runs shows through every stage in table order; a stage with no show to take is skipped. */
export async function runShowPipeline(run: StageRunner, base: Omit<ShowsInput, 'showIds'>, { start, ran = {} }: PipelineRun): Promise<Partial<Record<StageName, StageOutcome>>> {
  const given: Partial<Record<StageName, number[]>> = {};
  const outcomes: Partial<Record<StageName, StageOutcome>> = {};
  for (const [name, r] of Object.entries(ran) as [StageName, { showIds: number[]; outcome: StageOutcome }][]) {
    given[name] = r.showIds;
    outcomes[name] = r.outcome;
  }
  for (const row of STAGES) {
    if (outcomes[row.name]) continue;
    const needed = row.needs === null ? [] : (outcomes[row.needs as StageName] && passedOn(outcomes[row.needs as StageName]!, given[row.needs as StageName] ?? [])) || [];
    const showIds = [...new Set([...(start[row.name] ?? []), ...needed])];
    if (showIds.length === 0) continue;
    given[row.name] = showIds;
    outcomes[row.name] = await run(row, { ...base, showIds });
  }
  return outcomes;
}
