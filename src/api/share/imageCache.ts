// Rendered card images, kept per (session, card, report version, epoch): a stored version never
// changes, so an entry never goes stale, only cold. Bounded by bytes and entries (least recently
// used goes first), and a session's entries are dropped as soon as it is found to have no report.
import { createHash } from 'node:crypto';

export interface CachedPng {
  png: Buffer;
  etag: string;
}

interface Entry extends CachedPng {
  sessionId: string;
}

export interface ImageKey {
  sessionId: string;
  card: string;
  version: number;
  epoch: number;
}

export class ImageCache {
  private readonly entries = new Map<string, Entry>();
  /** Renders under way, so a burst of preview fetches renders a card once. */
  private readonly pending = new Map<string, Promise<CachedPng>>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxEntries = 500,
  ) {}

  get size() {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  async getOrRender(key: ImageKey, render: () => Promise<Buffer>): Promise<CachedPng> {
    const id = JSON.stringify([key.sessionId, key.card, key.version, key.epoch]);
    const hit = this.entries.get(id);
    if (hit) {
      // Map order is insertion order: re-inserting marks it the most recently used.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    let pending = this.pending.get(id);
    if (!pending) {
      pending = render()
        .then((png) => {
          const entry = { png, etag: `"${createHash('sha256').update(png).digest('base64url').slice(0, 27)}"`, sessionId: key.sessionId };
          this.put(id, entry);
          return entry;
        })
        .finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  dropSession(sessionId: string): void {
    for (const [id, entry] of this.entries) if (entry.sessionId === sessionId) this.remove(id, entry);
  }

  private put(id: string, entry: Entry) {
    if (entry.png.length > this.maxBytes) return;
    this.entries.set(id, entry);
    this.bytes += entry.png.length;
    for (const [oldId, old] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.remove(oldId, old);
    }
  }

  private remove(id: string, entry: Entry) {
    this.entries.delete(id);
    this.bytes -= entry.png.length;
  }
}
