// Blend invitations: `<id>.<mac>`, the MAC an HMAC-SHA256 (first 128 bits) over the invitation's
// random id under a key derived from the viewer-token secret. The row says whose it is, until when,
// and whether viewer A revoked it; a link whose row is gone (revoked long ago, or A forgotten) is dead.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/index.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
const MAC_BYTES = 16;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

export interface Invitation {
  id: string;
  inviterSessionId: string;
  expiresAt: Date;
}

export class BlendInvitations {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {
    if (key.length < 32) throw new Error('the Blend invitation key must be at least 32 bytes');
  }

  async create(inviterSessionId: string): Promise<Invitation & { token: string }> {
    const id = randomBytes(16).toString('base64url');
    const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
    await this.db.insertInto('blend_invitations').values({ id, inviter_session_id: inviterSessionId, expires_at: expiresAt }).execute();
    return { id, inviterSessionId, expiresAt, token: `${id}.${this.mac(id)}` };
  }

  /** The live invitation a token stands for; a reason it is dead otherwise. */
  async open(token: string): Promise<{ ok: true; invitation: Invitation } | { ok: false; reason: string }> {
    const m = TOKEN_PATTERN.exec(token);
    const dead = { ok: false as const, reason: 'This Blend invitation is not valid: it was revoked, has expired, or the link is incomplete' };
    if (!m) return dead;
    const [, id, mac] = m;
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac || !timingSafeEqual(given, Buffer.from(this.mac(id), 'base64url'))) return dead;
    const row = await this.db.selectFrom('blend_invitations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.revoked_at || row.expires_at.getTime() <= Date.now()) return dead;
    return { ok: true, invitation: { id, inviterSessionId: row.inviter_session_id, expiresAt: row.expires_at } };
  }

  /** Revokes one of the session's invitations: nobody can accept it from now on. False when it is not theirs. */
  async revoke(inviterSessionId: string, id: string): Promise<boolean> {
    const result = await this.db.updateTable('blend_invitations').set({ revoked_at: new Date() }).where('id', '=', id).where('inviter_session_id', '=', inviterSessionId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  private mac(id: string): string {
    return createHmac('sha256', this.key).update(`showprint blend invitation v1\n${id}`).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}
