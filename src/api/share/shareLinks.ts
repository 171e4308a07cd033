// Share links: `<base64url(sessionId)>.<card>.<mac>`, where the MAC is an HMAC-SHA256 (first 128
// bits) over the session, the card and the session's share epoch, under a key derived from the
// viewer-token secret. Nothing per link is stored: revoking every link of a session is one epoch
// increment, and a link names only its card, so it opens nothing else of the session.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { type StoryCard, isStoryCard } from '../../domain/report.js';
import { sessionIdSchema } from '../sessionLookup.js';

export interface ShareLink {
  sessionId: string;
  card: StoryCard;
  epoch: number;
}

const MAC_BYTES = 16;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,88})\.([A-Za-z]{1,32})\.([A-Za-z0-9_-]{22})$/;

export class ShareLinks {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {
    if (key.length < 32) throw new Error('the share-link key must be at least 32 bytes');
  }

  /** The session's current epoch: 0 until its links are first revoked. */
  async epoch(sessionId: string): Promise<number> {
    const row = await this.db.selectFrom('share_link_epochs').select('epoch').where('session_id', '=', sessionId).executeTakeFirst();
    return row?.epoch ?? 0;
  }

  token(sessionId: string, card: StoryCard, epoch: number): string {
    return `${Buffer.from(sessionId).toString('base64url')}.${card}.${this.mac(sessionId, card, epoch).toString('base64url')}`;
  }

  /** The link a token stands for, or undefined for anything else (malformed, forged, another epoch). */
  async verify(token: string): Promise<ShareLink | undefined> {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return undefined;
    const [, encodedId, card, mac] = m;
    const sessionId = Buffer.from(encodedId, 'base64url').toString('utf8');
    // One spelling per link: base64url decoding forgives stray bits, the re-encoding does not.
    if (!isStoryCard(card) || !sessionIdSchema.safeParse(sessionId).success || Buffer.from(sessionId).toString('base64url') !== encodedId) return undefined;
    const epoch = await this.epoch(sessionId);
    const given = Buffer.from(mac, 'base64url');
    // The last character carries unused bits: only the canonical spelling counts.
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac || !timingSafeEqual(given, this.mac(sessionId, card, epoch))) return undefined;
    return { sessionId, card, epoch };
  }

  /**
   * Moves the session to its next epoch, so every link made so far stops working. Only a session
   * with a row can have links (a report needs one); without a row nothing changes and 0 comes back.
   */
  async revoke(sessionId: string): Promise<number> {
    const row = await this.db
      .insertInto('share_link_epochs')
      .columns(['session_id', 'epoch', 'revoked_at'])
      .expression((eb) => eb.selectFrom('sessions').select((s) => [s.ref('id').as('session_id'), s.lit(1).as('epoch'), s.fn('now', []).as('revoked_at')]).where('id', '=', sessionId))
      .onConflict((oc) => oc.column('session_id').doUpdateSet((eb) => ({ epoch: eb('share_link_epochs.epoch', '+', 1), revoked_at: eb.fn('now', []) })))
      .returning('epoch')
      .executeTakeFirst();
    return row?.epoch ?? 0;
  }

  private mac(sessionId: string, card: StoryCard, epoch: number): Buffer {
    return createHmac('sha256', this.key).update(`showprint share v1\n${sessionId}\n${card}\n${epoch}`).digest().subarray(0, MAC_BYTES);
  }
}
