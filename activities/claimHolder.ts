// Who holds a show's lookup claim (src/db/lookupClaims.ts): the running activity, so a retry of the
// same activity (same workflow, same activity id) takes over its earlier attempt's claims at once.
import { Context } from '@temporalio/activity';

export function claimHolder(service: string, sessionId: string): string {
  let activity = 'outside-an-activity';
  try {
    const { workflowExecution, activityId } = Context.current().info;
    activity = `${workflowExecution?.workflowId ?? '?'}/${activityId}`;
  } catch {
    // Called directly (a script or a test): one holder per session and service.
  }
  return `${service}:${sessionId}:${activity}`;
}
