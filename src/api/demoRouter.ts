// GET /api/demo-keys — the stand-in dataKeys the viewer's page offers in its chooser.
// createApp mounts it unless told not to (`demoKeys: false`): a real Gandalf knows none of these keys.
import { Router } from 'express';
import { DEMO_DATA_KEYS } from '../../standins/histories.js';

export function demoRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => void res.json(DEMO_DATA_KEYS));
  return router;
}
