// The demo values: the keys the stand-ins trust unless given others, and the demo viewers' dataKeys
// they serve. They belong here, beside the fakes, and not in the product: a worker or API pointed at
// the real services must never fall back on them. The local stack (`npm start`) learns them from the
// stand-ins' ready line (main.ts); tests and the benchmark import them.

/** A secp256k1 key generated once for local development; it guards nothing real. */
export const DEMO_GANDALF_PRIVATE_KEY = 'f81367562f3cc7a425f09ed00818ee2f4880e7e23ce5fdb93349dd9c6b18bceb';

export const DEMO_SERVICE_KEYS = {
  gandalfPrivateKey: DEMO_GANDALF_PRIVATE_KEY,
  tmdbApiKey: 'demo-tmdb-key',
  openaiApiKey: 'demo-openai-key',
};

export { DEMO_DATA_KEYS } from './histories.js';
