import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { publicKeyHexFromPrivate, signRequestBody, verifyRequestBody } from '../../src/clients/gandalf/signature.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../standins/demoKeys.js';

const body = JSON.stringify({ query: 'query { getActivity }', variables: { dataKey: 'demo-small' } });

test('demo key is 32 bytes of hex and yields an uncompressed public point', () => {
  assert.match(DEMO_GANDALF_PRIVATE_KEY, /^[0-9a-f]{64}$/);
  const pub = publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY);
  assert.match(pub, /^04[0-9a-f]{128}$/);
  assert.equal(publicKeyHexFromPrivate(`0x${DEMO_GANDALF_PRIVATE_KEY}`), pub);
});

test('sign/verify round trip, DER base64 signature', () => {
  const pub = publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY);
  const sig = signRequestBody(body, `0x${DEMO_GANDALF_PRIVATE_KEY}`);
  const der = Buffer.from(sig, 'base64');
  assert.equal(der[0], 0x30, 'DER SEQUENCE');
  assert.ok(der.length >= 8 && der.length <= 72);
  assert.equal(verifyRequestBody(body, sig, pub), true);
  assert.equal(verifyRequestBody(Buffer.from(body), sig, `0x${pub}`), true);
});

test('tampered body, wrong key and garbage are rejected without throwing', () => {
  const pub = publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY);
  const sig = signRequestBody(body, DEMO_GANDALF_PRIVATE_KEY);
  assert.equal(verifyRequestBody(`${body} `, sig, pub), false);
  assert.equal(verifyRequestBody(body.replace('small', 'smalL'), sig, pub), false);
  const other = createECDH('secp256k1');
  other.generateKeys();
  assert.equal(verifyRequestBody(body, sig, other.getPublicKey('hex')), false);
  assert.equal(verifyRequestBody(body, 'not base64 at all!!', pub), false);
  assert.equal(verifyRequestBody(body, '', pub), false);
  assert.equal(verifyRequestBody(body, sig, 'zz'), false);
  assert.equal(verifyRequestBody(body, sig, ''), false);
  const flipped = Buffer.from(sig, 'base64');
  flipped[10] ^= 0xff;
  assert.equal(verifyRequestBody(body, flipped.toString('base64'), pub), false);
});

test('short private keys are left-padded; non-hex keys throw', () => {
  const sig = signRequestBody('x', '0x01');
  assert.equal(verifyRequestBody('x', sig, publicKeyHexFromPrivate('01')), true);
  assert.throws(() => signRequestBody('x', 'not-hex'));
});
