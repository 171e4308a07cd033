// BlendWorkflow: started by a Blend's acceptance (workflow id blend-<blendId>, payloads sealed with
// the Blend's own key). It waits, with a growing durable timer, while either session still runs,
// then builds the Blend from both sessions' stored rows and the AI's line. A session that fails or
// is forgotten ends the Blend with a reason a person can read.
import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { BlendInput, BlendState, BlendWorkflowType } from '../src/contracts/blend.js';
import { SESSION_STEP_RETRY } from '../src/contracts/index.js';

const { blendReadiness, buildBlend, recordBlendFailure } = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: SESSION_STEP_RETRY });

/**
 * First wait, and the longest: a session finishes in minutes, a big one's polite crawl in hours;
 * checks back off to every 15 minutes, so a week of waiting stays near 700 checks (about 6,000
 * history events, under the 10,240 warning).
 */
const FIRST_WAIT_MS = 2_000;
const LONGEST_WAIT_MS = 15 * 60_000;
/** A session that has not finished in a week will not: the Blend says so instead of waiting forever. */
const GIVE_UP_AFTER_MS = 7 * 24 * 60 * 60_000;

export async function BlendWorkflow(input: BlendInput): Promise<{ state: BlendState }> {
  let waited = 0;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    const readiness = await blendReadiness(input);
    if ('failed' in readiness) {
      await recordBlendFailure({ blendId: input.blendId, reason: readiness.failed });
      return { state: 'FAILED' };
    }
    if (readiness.ready) break;
    if (waited >= GIVE_UP_AFTER_MS) {
      await recordBlendFailure({ blendId: input.blendId, reason: 'one of the two reports did not finish within a week' });
      return { state: 'FAILED' };
    }
    log.info('Blend waiting for its sessions', { waitingFor: readiness.waitingFor, waitMs: wait });
    await sleep(wait);
    waited += wait;
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
  await buildBlend(input);
  return { state: 'COMPLETED' };
}
BlendWorkflow satisfies BlendWorkflowType;
