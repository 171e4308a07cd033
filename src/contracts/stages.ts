// Reading the stage table (pipeline.ts): rows by name, the stages that follow one, per-stage records.
// Kept apart from the table so a test bundle can swap the table alone (test/workflows/addedStage.test.ts).
import { PIPELINE, type StageName, type StageRow } from './pipeline.js';

/** The table as code reads it: rows typed by name, so a test bundle may add one. */
export const STAGES: readonly (StageRow & { name: StageName })[] = PIPELINE;
export const STAGE_NAMES: readonly StageName[] = STAGES.map((row) => row.name);

export function stageRow(name: string): StageRow & { name: StageName } {
  const row = STAGES.find((r) => r.name === name);
  if (!row) throw new Error(`no pipeline stage named '${name}' (stages: ${STAGE_NAMES.join(', ')})`);
  return row;
}

export const isStageName = (name: unknown): name is StageName => typeof name === 'string' && STAGES.some((r) => r.name === name);

/** The first stage: it takes every show the fetch found. */
export const firstStage = (): StageRow & { name: StageName } => STAGES[0]!;

/** The stages that take the shows `name` matched. */
export const stagesNeeding = (name: StageName): readonly (StageRow & { name: StageName })[] => STAGES.filter((r) => r.needs === name);

/** What the page and the CLI show of the table (served with the progress). */
export interface StageLabel {
  name: StageName;
  label: string;
}
export const stageLabels = (): StageLabel[] => STAGES.map(({ name, label }) => ({ name, label }));

/** A per-stage record built from the table: each stage's name to `f(row)`. */
export function perStage<T>(f: (row: StageRow & { name: StageName }) => T): Record<StageName, T> {
  return Object.fromEntries(STAGES.map((row) => [row.name, f(row)])) as Record<StageName, T>;
}
