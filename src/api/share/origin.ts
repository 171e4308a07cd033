// Where share links and hand-off links point: PUBLIC_URL when set (behind a proxy the request
// cannot tell), else the origin the request came in on.
import type { Request } from 'express';

export function publicOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
