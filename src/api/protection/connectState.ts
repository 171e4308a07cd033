// The `state` of a Gandalf Connect flow: handed to whoever starts a session that waits for its
// dataKey, and required back on the callback. Knowing a waiting session's id is then not enough to
// bind your own dataKey to it. Nothing is stored: it is an HMAC of the session id under a key derived
// from the viewer-token secret, and the session's connect Update takes only the first key anyway.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class ConnectStates {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('the connect-state key must be at least 32 bytes');
  }

  issue(sessionId: string): string {
    return createHmac('sha256', this.key).update(`showprint connect v1\n${sessionId}`).digest('base64url');
  }

  verify(sessionId: string, state: string | undefined): boolean {
    if (state === undefined || !/^[A-Za-z0-9_-]{43}$/.test(state)) return false;
    return timingSafeEqual(Buffer.from(this.issue(sessionId)), Buffer.from(state));
  }
}
