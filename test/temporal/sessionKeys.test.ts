// The session keyring and the codec over a real database: a session's payloads are sealed with the
// session's own data key (kept wrapped under the master key), everything else with the master key;
// destroying a session's key ("forget me") makes its payloads answer "erased" in this process and in
// any other over the same database, while other sessions still decode; and the codec server says 410.
import { Client, Connection } from '@temporalio/client';
import { type Payload, type SerializationContext, defaultPayloadConverter } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '../../src/db/index.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, KEY_KIND_METADATA } from '../../src/temporal/codec/payloadCodec.js';
import { PayloadKeyError, generatePayloadKey } from '../../src/config/payloadKeys.js';
import { SESSION_KEY_CACHE_MS, SESSION_KEY_PREFIX, SessionErasedError, type SessionKeyring, createSessionKeyring, sessionDigest } from '../../src/temporal/codec/sessionKeys.js';
import { createTestDatabase } from '../support/db.js';
import { codecUiToken } from '../../src/api/protection/apiKeys.js';
import { type ServedApp, TEST_CODEC_TOKEN_SECRET, bearer, serveApp, testSecurity } from '../support/servedApp.js';

const master = generatePayloadKey('master-1');
const ctx = (workflowId: string): SerializationContext => ({ type: 'workflow', namespace: 'default', workflowId });
const SECRET = { dataKey: 'netflix-data-key-of-abc', title: 'The Copper Ashes' };
const payload = (value: unknown = SECRET) => defaultPayloadConverter.toPayload(value);
const meta = (p: Payload, k: string) => (p.metadata?.[k] ? Buffer.from(p.metadata[k]).toString() : undefined);
const value = (p: Payload) => defaultPayloadConverter.fromPayload(p);

let db: DatabaseHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

/** A keyring and codec as one process (API or worker) holds them; `clock` lets a test age its cache. */
function processOver(now: () => number = Date.now) {
  const keyring = createSessionKeyring(db.db, [master], now);
  return { keyring, codec: new AesGcmPayloadCodec([master], keyring) };
}

/** A unique session id per test, so tests do not share keys or tombstones. */
let n = 0;
const sid = (name: string) => `${name}-${process.pid}-${++n}`;

describe('sealing by session', () => {
  test("a session's payload carries encryption-key-kind: session, a session key id, no plaintext, and decodes", async () => {
    const { codec } = processOver();
    const abc = sid('abc');
    const [sealed] = await codec.encode([payload()], ctx(`session-${abc}/crawl/3`));
    assert.equal(meta(sealed, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(meta(sealed, KEY_KIND_METADATA), 'session');
    const keyId = meta(sealed, KEY_ID_METADATA)!;
    assert.ok(keyId.startsWith(SESSION_KEY_PREFIX), keyId);
    assert.notEqual(keyId, master.id);
    assert.ok(!Buffer.from(sealed.data!).includes(SECRET.dataKey));
    assert.deepEqual(value((await codec.decode([sealed]))[0]), SECRET);
    // Every workflow of the session (the session itself, children, redrive) shares the one key.
    for (const wf of [`session-${abc}`, `session-${abc}/show-data/0`, `session-${abc}/redrive`, `session-${abc}/refresh`]) {
      const [p] = await codec.encode([payload()], ctx(wf));
      assert.equal(meta(p, KEY_ID_METADATA), keyId, wf);
    }
    // Activities carry their workflow's id in their context too.
    const [act] = await codec.encode([payload()], { type: 'activity', namespace: 'default', workflowId: `session-${abc}/crawl/1`, workflowType: 'x', activityType: 'y', activityId: '1', isLocal: false } as unknown as SerializationContext);
    assert.equal(meta(act, KEY_ID_METADATA), keyId);
  });

  test('another session gets another key, and one session’s key does not open the other’s payloads', async () => {
    const { codec } = processOver();
    const [a] = await codec.encode([payload({ who: 'a' })], ctx(`session-${sid('a')}`));
    const [b] = await codec.encode([payload({ who: 'b' })], ctx(`session-${sid('b')}`));
    assert.notEqual(meta(a, KEY_ID_METADATA), meta(b, KEY_ID_METADATA));
    // Relabel a's payload with b's key id: authentication fails, it does not decode as b.
    const relabelled: Payload = { ...a, metadata: { ...a.metadata, [KEY_ID_METADATA]: b.metadata![KEY_ID_METADATA] } };
    await assert.rejects(codec.decode([relabelled]), PayloadKeyError);
    assert.deepEqual(value((await codec.decode([b]))[0]), { who: 'b' });
  });

  test('a non-session workflow (forget-…), no context, or a workflow named like a session elsewhere uses the master key', async () => {
    const { codec } = processOver();
    const abc = sid('abc');
    for (const context of [ctx(`forget-${abc}`), undefined, ctx(`refresh-${abc}`), ctx(`x-session-${abc}`)]) {
      const [p] = await codec.encode([payload()], context);
      assert.equal(meta(p, KEY_ID_METADATA), master.id, String(context?.workflowId));
      assert.equal(meta(p, KEY_KIND_METADATA), undefined);
      assert.deepEqual(value((await codec.decode([p]))[0]), SECRET);
    }
    // A codec without a keyring seals everything with the master key, session context or not.
    const [plain] = await new AesGcmPayloadCodec([master]).encode([payload()], ctx(`session-${abc}`));
    assert.equal(meta(plain, KEY_ID_METADATA), master.id);
  });

  test('a second process over the same database reads a session’s payloads (the key is in the db, not in memory)', async () => {
    const abc = sid('abc');
    const [sealed] = await processOver().codec.encode([payload()], ctx(`session-${abc}`));
    assert.deepEqual(value((await processOver().codec.decode([sealed]))[0]), SECRET);
    // And encodes with the same key rather than minting a second one.
    const [again] = await processOver().codec.encode([payload()], ctx(`session-${abc}`));
    assert.equal(meta(again, KEY_ID_METADATA), meta(sealed, KEY_ID_METADATA));
    const rows = await db.db.selectFrom('session_keys').select('key_id').where('session_id', '=', abc).execute();
    assert.equal(rows.length, 1);
  });

  test('a codec without a keyring refuses a session payload with a clear error naming the database', async () => {
    const [sealed] = await processOver().codec.encode([payload()], ctx(`session-${sid('abc')}`));
    await assert.rejects(new AesGcmPayloadCodec([master]).decode([sealed]), (e: Error) => {
      assert.ok(e instanceof PayloadKeyError);
      assert.ok(!(e instanceof SessionErasedError));
      assert.match(e.message, /session key/);
      assert.match(e.message, /DATABASE_URL/);
      return true;
    });
  });

  test('a session payload whose key this database never held is a PayloadKeyError, not "erased"', async () => {
    const otherDb = await createTestDatabase();
    try {
      const foreign = new AesGcmPayloadCodec([master], createSessionKeyring(otherDb.db, [master]));
      const [sealed] = await foreign.encode([payload()], ctx(`session-${sid('abc')}`));
      await assert.rejects(processOver().codec.decode([sealed]), (e: Error) => e instanceof PayloadKeyError && !(e instanceof SessionErasedError) && /does not hold/.test(e.message));
    } finally {
      await otherDb.close();
    }
  });
});

describe('the database holds wrapped keys only', () => {
  test('the wrapped key is not the raw key, names the master key, and only the master key unwraps it', async () => {
    const { keyring } = processOver();
    const abc = sid('abc');
    const key = await keyring.keyForSession(abc);
    assert.equal(key.key.length, 32);
    const row = await db.db.selectFrom('session_keys').selectAll().where('session_id', '=', abc).executeTakeFirstOrThrow();
    assert.equal(row.key_id, key.id);
    assert.equal(row.master_key_id, master.id);
    const wrapped = Buffer.from(row.wrapped_key);
    assert.ok(!wrapped.includes(key.key), 'the raw key is stored in the clear');
    assert.ok(!wrapped.includes(key.key.subarray(0, 8)), 'a part of the raw key is stored in the clear');
    assert.ok(!wrapped.includes(master.key.subarray(0, 8)));
    assert.equal(wrapped.length, 12 + 32 + 16);
    // Another master key cannot unwrap it (its keyring names the missing master key).
    const stranger = createSessionKeyring(db.db, [generatePayloadKey('master-2')]);
    await assert.rejects(stranger.keyById(key.id), (e: Error) => e instanceof PayloadKeyError && /master key "master-1", which is not configured/.test(e.message));
    // A rotated keyring (new active master, old one kept) still unwraps the old rows.
    const rotated = createSessionKeyring(db.db, [generatePayloadKey('master-2'), master]);
    assert.deepEqual(await rotated.keyById(key.id), key.key);
  });

  test('a tampered wrapped key fails authentication', async () => {
    const { keyring } = processOver();
    const abc = sid('abc');
    const key = await keyring.keyForSession(abc);
    const row = await db.db.selectFrom('session_keys').select('wrapped_key').where('session_id', '=', abc).executeTakeFirstOrThrow();
    const tampered = Buffer.from(row.wrapped_key);
    tampered[20] ^= 0x01;
    await db.db.updateTable('session_keys').set({ wrapped_key: tampered }).where('session_id', '=', abc).execute();
    await assert.rejects(processOver().keyring.keyById(key.id), /failed authentication/);
  });
});

describe('destroying a session key (crypto-shredding)', () => {
  test('after destroy, the session’s payloads are erased here and in a second process; encoding refuses; other sessions decode', async () => {
    const abc = sid('abc');
    const xyz = sid('xyz');
    const one = processOver();
    const [abcSealed] = await one.codec.encode([payload()], ctx(`session-${abc}/crawl/3`));
    const [xyzSealed] = await one.codec.encode([payload({ who: 'xyz' })], ctx(`session-${xyz}`));
    const [masterSealed] = await one.codec.encode([payload({ who: 'master' })], ctx(`forget-${abc}`));
    const keyId = meta(abcSealed, KEY_ID_METADATA)!;
    // Decodes before (and warms this process's cache, which destroy must drop).
    assert.deepEqual(value((await one.codec.decode([abcSealed]))[0]), SECRET);

    const destroyed = await one.keyring.destroy(abc);
    assert.deepEqual(destroyed.keyIds, [keyId]);
    assert.ok(destroyed.erasedAt instanceof Date && !Number.isNaN(destroyed.erasedAt.getTime()));

    await assert.rejects(one.codec.decode([abcSealed]), SessionErasedError);
    await assert.rejects(one.codec.encode([payload()], ctx(`session-${abc}`)), SessionErasedError);
    await assert.rejects(one.keyring.keyForSession(abc), SessionErasedError);
    // Another process that never held the key: erased too (by the tombstone, not a generic "unknown key").
    const two = processOver();
    await assert.rejects(two.codec.decode([abcSealed]), (e: Error) => e instanceof SessionErasedError && /erased/.test(e.message));
    await assert.rejects(two.codec.encode([payload()], ctx(`session-${abc}/show-data/0`)), SessionErasedError);
    // The session id cannot quietly get a fresh key.
    assert.equal((await db.db.selectFrom('session_keys').select('key_id').where('session_id', '=', abc).execute()).length, 0);
    // Everyone else is untouched.
    for (const p of [one, two]) {
      assert.deepEqual(value((await p.codec.decode([xyzSealed]))[0]), { who: 'xyz' });
      assert.deepEqual(value((await p.codec.decode([masterSealed]))[0]), { who: 'master' });
    }
    // A batch holding one erased payload fails as a whole with the erased error.
    await assert.rejects(two.codec.decode([xyzSealed, abcSealed]), SessionErasedError);
  });

  test('a process that cached the key before the destroy drops it within SESSION_KEY_CACHE_MS', async () => {
    let t = Date.now();
    const abc = sid('abc');
    const cached = processOver(() => t);
    const [sealed] = await cached.codec.encode([payload()], ctx(`session-${abc}`));
    assert.deepEqual(value((await cached.codec.decode([sealed]))[0]), SECRET);
    await processOver().keyring.destroy(abc);
    // Documented: another process may still hold it for up to the cache time...
    t += SESSION_KEY_CACHE_MS + 1;
    // ...and not after.
    await assert.rejects(cached.codec.decode([sealed]), SessionErasedError);
    await assert.rejects(cached.codec.encode([payload()], ctx(`session-${abc}`)), SessionErasedError);
  });

  test('destroy is idempotent (same key id and time, from any process) and the tombstone names no session', async () => {
    const abc = sid('abc');
    const { keyring } = processOver();
    const key = await keyring.keyForSession(abc);
    const first = await keyring.destroy(abc);
    const second = await keyring.destroy(abc);
    const third = await processOver().keyring.destroy(abc);
    assert.deepEqual(first.keyIds, [key.id]);
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);

    const tombstones = await db.db.selectFrom('erased_session_keys').selectAll().where('key_id', '=', key.id).execute();
    assert.equal(tombstones.length, 1);
    const [tomb] = tombstones;
    assert.equal(tomb.session_digest, sessionDigest(abc));
    assert.match(tomb.session_digest, /^[0-9a-f]{64}$/);
    for (const v of Object.values(tomb)) assert.ok(!String(v instanceof Date ? v.toISOString() : v).includes(abc), `tombstone column holds the session id: ${String(v)}`);
    assert.ok(!JSON.stringify(tomb).includes(abc));
    // Only one row per session, however many destroys.
    assert.equal((await db.db.selectFrom('erased_session_keys').select('session_digest').where('session_digest', '=', sessionDigest(abc)).execute()).length, 1);
  });

  test('destroying a session that never had a key leaves a keyless tombstone and refuses its first payload', async () => {
    const ghost = sid('ghost');
    const { keyring, codec } = processOver();
    const result = await keyring.destroy(ghost);
    assert.deepEqual(result.keyIds, []);
    await assert.rejects(codec.encode([payload()], ctx(`session-${ghost}`)), SessionErasedError);
    await assert.rejects(processOver().keyring.keyForSession(ghost), SessionErasedError);
    assert.deepEqual((await keyring.destroy(ghost)).keyIds, []);
  });
});

describe('the codec server over the keyring', () => {
  let app: ServedApp;
  let connection: Connection;
  let keyring: SessionKeyring;
  let codec: AesGcmPayloadCodec;
  before(async () => {
    ({ keyring, codec } = processOver());
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    app = await serveApp({ client: new Client({ connection }), db: db.db, security: testSecurity({ codec }) });
  });
  after(async () => {
    await app?.close();
    await connection?.close().catch(() => undefined);
  });

  const wire = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])), data: Buffer.from(p.data ?? []).toString('base64') });
  const decode = (payloads: Payload[]) =>
    fetch(`${app.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(app.apiKey) }, body: JSON.stringify({ payloads: payloads.map(wire) }) });

  test('decodes a live session’s payload, answers 410 "erased" once the session is forgotten, and still decodes others', async () => {
    const abc = sid('abc');
    const xyz = sid('xyz');
    const [abcSealed] = await codec.encode([payload()], ctx(`session-${abc}`));
    const [xyzSealed] = await codec.encode([payload({ who: 'xyz' })], ctx(`session-${xyz}`));
    const before = await decode([abcSealed]);
    assert.equal(before.status, 200);
    const body = (await before.json()) as { payloads: { data: string }[] };
    assert.deepEqual(JSON.parse(Buffer.from(body.payloads[0].data, 'base64').toString()), SECRET);

    // Forgotten by another process (the ForgetWorkflow's worker): the server's own cache is warm.
    await processOver().keyring.destroy(abc);
    await keyring.destroy(abc); // what the API does on DELETE (drops its copy at once)
    const erased = await decode([abcSealed]);
    assert.equal(erased.status, 410);
    const err = (await erased.json()) as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'erased');
    assert.match(err.error.message, /erased/);
    assert.ok(!err.error.message.includes(SECRET.dataKey));
    assert.equal((await decode([xyzSealed])).status, 200);

    // The Web UI's codec URL gets a 200 it can show (any other status reads there as "Codec Server
    // could not connect"): the erased payload says so, the live one beside it still decodes.
    const ui = await fetch(`${app.url}/codec/ui/${codecUiToken(TEST_CODEC_TOKEN_SECRET, app.apiKey)}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [abcSealed, xyzSealed].map(wire) }),
    });
    assert.equal(ui.status, 200);
    const shown = ((await ui.json()) as { payloads: { data: string }[] }).payloads.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()));
    assert.match(shown[0], /^\[erased: this session was forgotten/);
    assert.ok(!JSON.stringify(shown[0]).includes(SECRET.dataKey));
    assert.deepEqual(shown[1], { who: 'xyz' });
  });

  test('a session payload from a deployment whose keys this database lacks is 422, not 410', async () => {
    const otherDb = await createTestDatabase();
    try {
      const [sealed] = await new AesGcmPayloadCodec([master], createSessionKeyring(otherDb.db, [master])).encode([payload()], ctx(`session-${sid('abc')}`));
      const res = await decode([sealed]);
      assert.equal(res.status, 422);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'codec_failed');
    } finally {
      await otherDb.close();
    }
  });
});
