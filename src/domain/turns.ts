// Whose turn it is, when sessions (fairness keys) queue for something scarce: a worker's lanes, a
// service's rate-limit slots. One policy for both.
//
// Least attained service first: the key that has had the fewest turns lately goes next. A small
// viewer who arrives while a big one runs gets nearly every turn until it has had as many, so it
// finishes at about its time alone (an even share, round-robin, doubled it: issue 27). Every
// `floorEvery`-th turn still goes round-robin (to the key served longest ago), so a big session keeps
// a share however many small ones arrive. Turns count with a half-life, so a key's lead fades: a
// session that waited a while is not behind forever for what it had long ago.

export interface TurnPolicy {
  /** Every this-many-th turn goes round-robin; the rest to the least served key. */
  floorEvery: number;
  /** How fast past turns are forgotten. */
  halfLifeMs: number;
}

export const TURNS: TurnPolicy = { floorEvery: 8, halfLifeMs: 60_000 };

interface Ranked<T> {
  item: T;
  rank: number;
}

export class TurnQueue<T> {
  /** Items per key, lowest rank first; the map's order is round-robin order (a key served goes to the back). */
  private readonly queues = new Map<string, Ranked<T>[]>();
  /** Turns each key has had, decayed to `at`. */
  private readonly history = new Map<string, { turns: number; at: number }>();
  private taken = 0;
  private credited = 0;

  constructor(
    private readonly policy: TurnPolicy = TURNS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.queues.size;
  }

  /** Queues `item` in `key`'s queue behind every item of its rank or lower (items of one rank in arrival order). */
  push(key: string, item: T, rank = 0): void {
    const queue = this.queues.get(key);
    if (!queue) return void this.queues.set(key, [{ item, rank }]);
    let at = queue.length; // usually the last: items mostly arrive in rank order
    while (at > 0 && queue[at - 1]!.rank > rank) at--;
    queue.splice(at, 0, { item, rank });
  }

  /** Takes `item` out of `key`'s queue (a caller that gave up); false when it was not there. */
  remove(key: string, item: T): boolean {
    const queue = this.queues.get(key);
    const at = queue?.findIndex((entry) => entry.item === item) ?? -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(key);
    return true;
  }

  /** Every waiting item with its key (to move some to another key's queue). */
  *entries(): Generator<[string, T]> {
    for (const [key, queue] of [...this.queues]) for (const { item } of [...queue]) yield [key, item];
  }

  /** The next item, from the key whose turn it is; undefined when nothing waits. */
  take(): T | undefined {
    const key = this.nextKey();
    if (key === undefined) return undefined;
    const queue = this.queues.get(key)!;
    const { item } = queue.shift()!;
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    this.creditTurn(key);
    return item;
  }

  private nextKey(): string | undefined {
    const first = this.queues.keys().next();
    if (first.done) return undefined;
    this.taken++;
    if (this.queues.size === 1 || this.taken % this.policy.floorEvery === 0) return first.value;
    let best = first.value;
    let least = Infinity;
    for (const key of this.queues.keys()) {
      const turns = this.turnsOf(key);
      if (turns < least) [best, least] = [key, turns];
    }
    return best;
  }

  private turnsOf(key: string): number {
    const entry = this.history.get(key);
    return entry ? entry.turns * 2 ** (-(this.now() - entry.at) / this.policy.halfLifeMs) : 0;
  }

  /** `key` had a turn (taken here, or granted at once because nobody waited). */
  creditTurn(key: string): void {
    this.history.set(key, { turns: this.turnsOf(key) + 1, at: this.now() });
    // Forget keys whose turns have faded (sessions long gone), now and then.
    if (++this.credited % 1024 === 0) for (const k of [...this.history.keys()]) if (!this.queues.has(k) && this.turnsOf(k) < 0.5) this.history.delete(k);
  }
}
