// GET /api/demo-keys — the demo viewers' dataKeys the page offers in its chooser. The product knows
// none: whoever starts the API passes them (the local stack, from the stand-ins it runs). A real
// deployment passes none and the route answers [], which the page shows as "no demo viewers"; it stays
// mounted so the page needs no second code path for a 404.
import { Router } from 'express';
import { allow } from './protection/access.js';

export interface DemoDataKey {
  key: string;
  label: string;
  activities?: number;
}

export function demoRouter(dataKeys: readonly DemoDataKey[] = []): Router {
  const router = Router();
  router.get('/', allow({ public: true }), (_req, res) => void res.json(dataKeys));
  return router;
}
