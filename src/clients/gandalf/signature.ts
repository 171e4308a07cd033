// Gandalf request signing: base64(DER ECDSA-secp256k1 over SHA-256 of the exact body bytes).
import { createECDH, createPrivateKey, createPublicKey, sign, verify, ECDH, type KeyObject } from 'node:crypto';

const CURVE = 'secp256k1';

function stripHexPrefix(hex: string): string {
  return hex.trim().replace(/^0x/i, '');
}

function privateKeyBytes(privateKeyHex: string): Buffer {
  const hex = stripHexPrefix(privateKeyHex);
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) {
    throw new Error('Gandalf private key must be up to 32 bytes of hex (optional 0x prefix)');
  }
  // Left-pad: keys with leading zero bytes are often written without them.
  return Buffer.from(hex.padStart(64, '0'), 'hex');
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

// KeyObjects are cheap to reuse and costly-ish to rebuild per request.
const privateKeyCache = new Map<string, KeyObject>();
const publicKeyCache = new Map<string, KeyObject | null>();

function privateKeyObject(privateKeyHex: string): KeyObject {
  const cached = privateKeyCache.get(privateKeyHex);
  if (cached) return cached;
  const d = privateKeyBytes(privateKeyHex);
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 || X(32) || Y(32)
  const key = createPrivateKey({
    format: 'jwk',
    key: { kty: 'EC', crv: CURVE, d: b64url(d), x: b64url(pub.subarray(1, 33)), y: b64url(pub.subarray(33, 65)) },
  });
  if (privateKeyCache.size > 32) privateKeyCache.clear();
  privateKeyCache.set(privateKeyHex, key);
  return key;
}

function publicKeyObject(publicKeyHex: string): KeyObject | null {
  if (publicKeyCache.has(publicKeyHex)) return publicKeyCache.get(publicKeyHex) ?? null;
  let key: KeyObject | null = null;
  try {
    // Accept compressed (02/03…) or uncompressed (04…) points; normalise to uncompressed.
    const raw = Buffer.from(ECDH.convertKey(stripHexPrefix(publicKeyHex), CURVE, 'hex', 'hex', 'uncompressed') as string, 'hex');
    key = createPublicKey({
      format: 'jwk',
      key: { kty: 'EC', crv: CURVE, x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
    });
  } catch {
    key = null;
  }
  if (publicKeyCache.size > 32) publicKeyCache.clear();
  publicKeyCache.set(publicKeyHex, key);
  return key;
}

/** Uncompressed public point (04…, 130 hex chars) for a private key. */
export function publicKeyHexFromPrivate(privateKeyHex: string): string {
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(privateKeyBytes(privateKeyHex));
  return ecdh.getPublicKey('hex', 'uncompressed');
}

/** Value for the `X-Gandalf-Signature` header. `body` must be the exact string sent. */
export function signRequestBody(body: string, privateKeyHex: string): string {
  // node:crypto signs EC keys as DER by default, which is what Gandalf expects.
  return sign('sha256', Buffer.from(body, 'utf8'), privateKeyObject(privateKeyHex)).toString('base64');
}

/** True only for a valid signature; any malformed input yields false. */
export function verifyRequestBody(body: string | Buffer, signatureB64: string, publicKeyHex: string): boolean {
  try {
    if (typeof signatureB64 !== 'string' || signatureB64.length === 0) return false;
    const key = publicKeyObject(publicKeyHex);
    if (!key) return false;
    const sig = Buffer.from(signatureB64, 'base64');
    if (sig.length === 0) return false;
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return verify('sha256', data, key, sig);
  } catch {
    return false;
  }
}
