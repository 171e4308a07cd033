// The crawl's third step: what an RT answer means for a show. A page whose JSON-LD agrees with the
// show is its match (a Wikidata id is trusted as is); a 404 or another show's page sends the show
// to its next candidate; a `_<year>` slug is only worth trying once a bare slug showed another show.
import { acceptRtPage } from '../../src/domain/rtMatch.js';
import { assertWholePage, parseRtShowPage } from '../../src/domain/rtPage.js';
import type { Candidate, ShowPlan } from './plan.js';

export type Verdict = { next: true } | { next: false; via: Candidate['via']; critics: number | null; audience: number | null };

/**
 * The verdict on the show's `index`-th candidate from RT's answer (200 or 404). A truncated page,
 * or one with no score data at all, throws RtParseError: the request is retried.
 */
export function decide(plan: ShowPlan, index: number, status: number, body: Buffer): Verdict {
  if (status === 404) return { next: true }; // a wrong slug or a stale Wikidata id
  const html = body.toString();
  assertWholePage(html);
  const page = parseRtShowPage(html);
  const candidate = plan.candidates[index]!;
  if (candidate.via === 'slug' && !acceptRtPage(page, plan.facts).ok) {
    plan.collided = true; // another show has this slug: RT may have given ours a year
    return { next: true };
  }
  return { next: false, via: candidate.via, critics: page.criticsScore, audience: page.audienceScore };
}

/** The show's most likely candidate not yet looked at (a `_<year>` form only after a collision), marked as looked at. */
export function nextCandidate(plan: ShowPlan): number | null {
  for (let i = 0; i < plan.candidates.length; i++) {
    if (plan.looked.has(i) || (plan.candidates[i]!.ifTaken && !plan.collided)) continue;
    plan.looked.add(i);
    return i;
  }
  return null;
}
