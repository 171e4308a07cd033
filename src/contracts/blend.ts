// Blend: two viewers' taste side by side (issue 28). The workflow's input and id, the report it
// stores, and whose payload key seals it. A Blend holds no history of either viewer: only the score,
// up to five shared shows, one show each should show the other, and a line about the pair.
import { sessionIdOfWorkflowId } from './messages.js';

export interface BlendInput {
  blendId: string;
  /** The inviter's session, then the one that accepted. */
  sessionA: string;
  sessionB: string;
}

export interface BlendShow {
  name: string;
  posterUrl: string | null;
}

/** How the match score was made, each part 0–100. */
export interface BlendScoreParts {
  /** The overlap of the two genre mixes (the sum of the smaller share of each genre). */
  genres: number;
  /** Shared shows weighted by time: the episodes both watched, against the smaller history. */
  sharedShows: number;
  /** How close the two RT taste scores are (50 when either has none). */
  rtTaste: number;
}

export interface BlendReport {
  blendId: string;
  generatedAt: string;
  /** 0–100: 40% genres, 40% shared shows, 20% RT taste. */
  matchScore: number;
  parts: BlendScoreParts;
  /** Up to 5, the ones both watched most of first. */
  sharedShows: BlendShow[];
  /** The show A watched most that B never watched, and the other way round. */
  aShowsB: BlendShow | null;
  bShowsA: BlendShow | null;
  /** One line about the pair (LLM, else the local engine), at most 140 characters. */
  line: string;
  lineSource: 'llm' | 'local';
}

/** WAITING for either session, then COMPLETED with its report, or FAILED with a reason. */
export type BlendState = 'WAITING' | 'COMPLETED' | 'FAILED';

export type BlendWorkflowType = (input: BlendInput) => Promise<{ state: BlendState }>;
export const BLEND_WORKFLOW_TYPE = 'BlendWorkflow';

export const blendWorkflowId = (blendId: string) => `blend-${blendId}`;

/**
 * Whose payload key seals a workflow's payloads: a session's own for its workflows, a Blend's own
 * (`blend-<id>`, destroyed when either of its sessions is forgotten) for a BlendWorkflow.
 */
export function payloadKeyOwner(workflowId: unknown): string | undefined {
  if (typeof workflowId === 'string' && /^blend-[A-Za-z0-9_-]+$/.test(workflowId)) return workflowId;
  return sessionIdOfWorkflowId(workflowId);
}

/** The story cards of a Blend, in the order they play; its share links name them. */
export const BLEND_CARDS = ['blendScore', 'blendShared', 'blendSwap', 'blendLine'] as const;
export type BlendCard = (typeof BLEND_CARDS)[number];
export const isBlendCard = (value: string): value is BlendCard => (BLEND_CARDS as readonly string[]).includes(value);
