// ViewerTokens on their own: `spv2.<sessionId>.<epoch>.<expires>.<mac>` round trip, expiry under an
// injected clock, forged MACs, another server's secret, malformed shapes, one session's token never
// checking as another's, a fixed format whatever the session id, an absolute lifetime for tokens
// minted from tokens, and `spv1` tokens from before epochs still checking as epoch 0.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { VIEWER_TOKEN_PREFIX, ViewerTokens, looksLikeViewerToken, viewerCookiePath } from '../../src/api/protection/viewerTokens.js';

const SECRET = 'a-viewer-token-secret-of-at-least-32-characters';
const OTHER_SECRET = 'another-viewer-token-secret-also-32-characters-long';
const HOUR = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A clock the test moves. */
function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms) };
}

const TOKEN_SHAPE = /^spv2\.([A-Za-z0-9_-]{1,64})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
/** A token as the code before epochs made it (what viewers' cookies may still hold). */
const v1Token = (secret: string, sessionId: string, expires: number) =>
  `spv1.${sessionId}.${expires}.${createHmac('sha256', secret).update(`showprint viewer v1\n${sessionId}\n${expires}`).digest('base64url')}`;
const sessionIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe('issue and check', () => {
  test('a token checks back as its own session, with the expiry issue() reported', () => {
    const c = clock();
    const tokens = new ViewerTokens(SECRET, HOUR, c.now);
    const { token, expiresAt } = tokens.issue('session-a_1');
    assert.equal(expiresAt.getTime(), T0 + HOUR);
    assert.ok(token.startsWith(`${VIEWER_TOKEN_PREFIX}.session-a_1.`), token);
    const check = tokens.check(token);
    assert.deepEqual(check, { ok: true, sessionId: 'session-a_1', epoch: 0, expiresAt });
    assert.ok(looksLikeViewerToken(token));
  });

  test('a token carries its epoch, and changing it breaks the MAC', () => {
    const tokens = new ViewerTokens(SECRET, HOUR, clock().now);
    const { token } = tokens.issue('abc', { epoch: 3 });
    const check = tokens.check(token);
    assert.ok(check.ok && check.epoch === 3);
    const [prefix, id, , exp, mac] = token.split('.');
    assert.deepEqual(tokens.check(`${prefix}.${id}.4.${exp}.${mac}`), { ok: false, reason: 'forged' });
  });

  test('a token minted from another never outlives it (notAfter), and never exceeds the TTL', () => {
    const c = clock();
    const tokens = new ViewerTokens(SECRET, HOUR, c.now);
    const first = tokens.issue('abc');
    c.set(T0 + HOUR / 2);
    const minted = tokens.issue('abc', { notAfter: first.expiresAt });
    assert.equal(minted.expiresAt.getTime(), first.expiresAt.getTime(), 'a hand-off gives no extra time');
    const far = tokens.issue('abc', { notAfter: new Date(T0 + 100 * HOUR) });
    assert.equal(far.expiresAt.getTime(), T0 + HOUR / 2 + HOUR);
  });

  test('spv1 tokens (before epochs) still check, as epoch 0', () => {
    const tokens = new ViewerTokens(SECRET, HOUR, clock().now);
    const exp = Math.floor((T0 + HOUR) / 1000);
    assert.deepEqual(tokens.check(v1Token(SECRET, 'abc', exp)), { ok: true, sessionId: 'abc', epoch: 0, expiresAt: new Date(exp * 1000) });
    assert.deepEqual(tokens.check(v1Token(OTHER_SECRET, 'abc', exp)), { ok: false, reason: 'forged' });
    assert.deepEqual(tokens.check(v1Token(SECRET, 'abc', Math.floor(T0 / 1000))), { ok: false, reason: 'expired' });
  });

  test('another instance with the same secret accepts it (nothing is stored server-side)', () => {
    const { token } = new ViewerTokens(SECRET, HOUR, clock().now).issue('abc');
    const check = new ViewerTokens(SECRET, 5 * 60_000, clock().now).check(token);
    assert.equal(check.ok, true);
    assert.equal(check.ok && check.sessionId, 'abc');
  });

  test('the secret must be at least 32 characters', () => {
    assert.throws(() => new ViewerTokens('x'.repeat(31), HOUR), /at least 32 characters/);
    assert.doesNotThrow(() => new ViewerTokens('x'.repeat(32), HOUR));
  });

  test('the cookie path covers exactly one session', () => {
    assert.equal(viewerCookiePath('abc'), '/api/sessions/abc');
  });
});

describe('expiry (injected clock)', () => {
  test('valid until just before its expiry second, expired from it on', () => {
    const c = clock();
    const tokens = new ViewerTokens(SECRET, HOUR, c.now);
    const { token, expiresAt } = tokens.issue('abc');
    c.set(expiresAt.getTime() - 1);
    assert.equal(tokens.check(token).ok, true);
    c.set(expiresAt.getTime());
    assert.deepEqual(tokens.check(token), { ok: false, reason: 'expired' });
    c.set(expiresAt.getTime() + 365 * 24 * HOUR);
    assert.deepEqual(tokens.check(token), { ok: false, reason: 'expired' });
  });

  test('a token issued in the past by a clock behind ours is expired here', () => {
    const past = new ViewerTokens(SECRET, HOUR, () => T0 - 2 * HOUR);
    const { token } = past.issue('abc');
    assert.deepEqual(new ViewerTokens(SECRET, HOUR, () => T0).check(token), { ok: false, reason: 'expired' });
  });

  test('moving the expiry forward breaks the MAC (forged, not extended)', () => {
    const c = clock();
    const tokens = new ViewerTokens(SECRET, HOUR, c.now);
    const { token } = tokens.issue('abc');
    const [prefix, id, epoch, exp, mac] = token.split('.');
    const later = `${prefix}.${id}.${epoch}.${Number(exp) + 10 * 365 * 24 * 3600}.${mac}`;
    c.set(T0 + 2 * HOUR);
    assert.deepEqual(tokens.check(later), { ok: false, reason: 'forged' });
  });
});

describe('forgery', () => {
  const tokens = new ViewerTokens(SECRET, HOUR, clock().now);

  test('a changed MAC is forged, whichever character changes', () => {
    const { token } = tokens.issue('abc');
    const mac = token.split('.')[4];
    for (let i = 0; i < mac.length; i++) {
      const flipped = mac[i] === 'A' ? 'B' : 'A';
      const forged = `${token.slice(0, token.length - mac.length)}${mac.slice(0, i)}${flipped}${mac.slice(i + 1)}`;
      assert.deepEqual(tokens.check(forged), { ok: false, reason: 'forged' }, `mac position ${i}`);
    }
  });

  test('a well-shaped token made without the secret is forged', () => {
    const exp = Math.floor((T0 + HOUR) / 1000);
    const guesses = [
      `spv2.abc.0.${exp}.${'A'.repeat(43)}`,
      `spv2.abc.0.${exp}.${createHmac('sha256', '').update(`showprint viewer v2\nabc\n0\n${exp}`).digest('base64url')}`,
      // The right message under another key.
      `spv2.abc.0.${exp}.${createHmac('sha256', OTHER_SECRET).update(`showprint viewer v2\nabc\n0\n${exp}`).digest('base64url')}`,
      // A v1 MAC under a v2 prefix.
      `spv2.abc.0.${exp}.${v1Token(SECRET, 'abc', exp).split('.')[3]}`,
    ];
    for (const g of guesses) assert.deepEqual(tokens.check(g), { ok: false, reason: 'forged' }, g);
  });

  test('a token from a server with another secret is forged here, and the reverse', () => {
    const other = new ViewerTokens(OTHER_SECRET, HOUR, clock().now);
    assert.deepEqual(tokens.check(other.issue('abc').token), { ok: false, reason: 'forged' });
    assert.deepEqual(other.check(tokens.issue('abc').token), { ok: false, reason: 'forged' });
  });

  test("session A's token never checks as session B: relabelled, it is forged", () => {
    fc.assert(
      fc.property(sessionIdArb, sessionIdArb, (a, b) => {
        fc.pre(a !== b);
        const { token } = tokens.issue(a);
        const check = tokens.check(token);
        assert.ok(check.ok && check.sessionId === a);
        const [prefix, , epoch, exp, mac] = token.split('.');
        assert.deepEqual(tokens.check(`${prefix}.${b}.${epoch}.${exp}.${mac}`), { ok: false, reason: 'forged' });
      }),
      { numRuns: 300 },
    );
  });

  test('two sessions get different MACs for the same expiry', () => {
    const a = tokens.issue('a').token.split('.');
    const b = tokens.issue('b').token.split('.');
    assert.equal(a[3], b[3]);
    assert.notEqual(a[4], b[4]);
  });
});

describe('malformed shapes', () => {
  const tokens = new ViewerTokens(SECRET, HOUR, clock().now);
  const good = tokens.issue('abc').token;
  const [, , , exp, mac] = good.split('.');

  test('anything not spv2.<id>.<epoch>.<digits>.<43 base64url chars> (or spv1 without the epoch) is malformed', () => {
    const bad = [
      '',
      'spv2',
      'spv2.',
      'spv2....',
      `spv3.abc.0.${exp}.${mac}`,
      `spv1.abc.0.${exp}.${mac}`,
      `SPV2.abc.0.${exp}.${mac}`,
      `spv2..0.${exp}.${mac}`,
      `spv2.abc.${exp}.${mac}`,
      `spv2.${'a'.repeat(65)}.0.${exp}.${mac}`,
      `spv2.ab.c.0.${exp}.${mac}`,
      `spv2.ab/c.0.${exp}.${mac}`,
      `spv2.ab%20c.0.${exp}.${mac}`,
      `spv2.abc.0..${mac}`,
      `spv2.abc..${exp}.${mac}`,
      `spv2.abc.-1.${exp}.${mac}`,
      `spv2.abc.${'9'.repeat(10)}.${exp}.${mac}`,
      `spv2.abc.0.-1.${mac}`,
      `spv2.abc.0.1e9.${mac}`,
      `spv2.abc.0.${'9'.repeat(13)}.${mac}`,
      `spv2.abc.0.${exp}.`,
      `spv2.abc.0.${exp}.${mac.slice(1)}`,
      `spv2.abc.0.${exp}.${mac}A`,
      `spv2.abc.0.${exp}.${mac.slice(0, -1)}=`,
      `spv2.abc.0.${exp}.${mac.slice(0, -1)}+`,
      `${good} `,
      ` ${good}`,
      `${good}\n`,
      `${good}.x`,
      `Bearer ${good}`,
      good.replaceAll('.', '_'),
    ];
    for (const t of bad) assert.deepEqual(tokens.check(t), { ok: false, reason: 'malformed' }, JSON.stringify(t));
    assert.equal(tokens.check(good).ok, true);
  });

  test('random strings never check ok and never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = tokens.check(s);
        assert.equal(r.ok, false);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(sessionIdArb, fc.stringMatching(/^\d{1,12}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), (id, e, m) => {
        const r = tokens.check(`spv2.${id}.0.${e}.${m}`);
        // Well-shaped but made up: the MAC decides, never the shape.
        assert.deepEqual(r, { ok: false, reason: 'forged' });
      }),
      { numRuns: 300 },
    );
  });

  test('looksLikeViewerToken tells tokens from API keys by the prefix only', () => {
    assert.equal(looksLikeViewerToken(good), true);
    assert.equal(looksLikeViewerToken('spv2.anything'), true);
    assert.equal(looksLikeViewerToken('spv1.anything'), true);
    assert.equal(looksLikeViewerToken('sk_live_0123456789abcdef'), false);
    assert.equal(looksLikeViewerToken('spv2'), false);
  });
});

describe('constant format', () => {
  test('every token has the same shape, a 43-character MAC whatever the session id, and the expiry in seconds', () => {
    const c = clock();
    const tokens = new ViewerTokens(SECRET, HOUR, c.now);
    fc.assert(
      fc.property(sessionIdArb, fc.integer({ min: 0, max: 10 * 365 * 24 * 3600 * 1000 }), (id, offset) => {
        c.set(T0 + offset);
        const { token, expiresAt } = tokens.issue(id);
        const m = TOKEN_SHAPE.exec(token);
        assert.ok(m, token);
        assert.equal(m[1], id);
        assert.equal(m[2], '0');
        assert.equal(m[4].length, 43);
        assert.equal(Number(m[3]) * 1000, expiresAt.getTime());
        assert.equal(expiresAt.getTime() % 1000, 0);
        assert.ok(expiresAt.getTime() <= T0 + offset + HOUR && expiresAt.getTime() > T0 + offset + HOUR - 1000);
        assert.equal(token.length, `spv2.${id}.0.${m[3]}.`.length + 43);
      }),
      { numRuns: 300 },
    );
  });

  test('issuing is deterministic for a session and an instant (stateless), and differs across instants', () => {
    const tokens = new ViewerTokens(SECRET, HOUR, () => T0);
    assert.equal(tokens.issue('abc').token, tokens.issue('abc').token);
    const later = new ViewerTokens(SECRET, HOUR, () => T0 + 1000);
    assert.notEqual(tokens.issue('abc').token, later.issue('abc').token);
  });
});
