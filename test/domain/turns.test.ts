// Whose turn it is (src/domain/turns.ts): least served first, a round-robin floor so a big session
// is never starved, and turns that fade with time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnQueue } from '../../src/domain/turns.js';

/** Takes everything, returning the keys in the order served. */
function drain(queue: TurnQueue<string>): string[] {
  const order: string[] = [];
  for (let item = queue.take(); item !== undefined; item = queue.take()) order.push(item);
  return order;
}

test('a newcomer is served until it has had as many turns as the key before it, then they alternate', () => {
  const queue = new TurnQueue<string>({ floorEvery: 1000, halfLifeMs: 1e12 });
  for (let i = 0; i < 3; i++) queue.creditTurn('big'); // three turns before anyone else waited
  for (let i = 0; i < 4; i++) queue.push('big', 'B');
  for (let i = 0; i < 5; i++) queue.push('small', 's');
  // Round-robin would give BsBsBsBss; first come, first served BBBBsssss.
  assert.equal(drain(queue).join(''), 'sssBsBsBB');
});

test('every floorEvery-th turn goes round-robin, so a key far ahead still gets a share', () => {
  const queue = new TurnQueue<string>({ floorEvery: 4, halfLifeMs: 1e12 });
  for (let i = 0; i < 100; i++) queue.creditTurn('big');
  for (let i = 0; i < 4; i++) queue.push('big', 'B');
  for (let i = 0; i < 12; i++) queue.push('small', 's');
  // Least served alone would serve all twelve small items first.
  assert.equal(drain(queue).join(''), 'sssBsssBsssBsssB');
});

test('turns fade with their half-life: a key served long ago is not behind for it', () => {
  let now = 0;
  const queue = new TurnQueue<string>({ floorEvery: 1000, halfLifeMs: 1000 }, () => now);
  for (let i = 0; i < 8; i++) queue.creditTurn('old');
  now = 10_000; // ten half-lives: 8 turns are now 0.008
  queue.creditTurn('new');
  queue.push('new', 'n');
  queue.push('old', 'o');
  assert.equal(queue.take(), 'o', 'the old key has had fewer turns lately');
});

test('an item taken out (its caller gave up) is never served', () => {
  const queue = new TurnQueue<string>();
  queue.push('a', 'a1');
  queue.push('a', 'a2');
  assert.equal(queue.remove('a', 'a1'), true);
  assert.equal(queue.remove('a', 'a1'), false);
  assert.deepEqual(drain(queue), ['a2']);
  assert.equal(queue.size, 0);
});

test("within a key, lower ranks first (a session's oldest chunk), each rank in arrival order", () => {
  const queue = new TurnQueue<string>();
  queue.push('s', 'two0', 2);
  queue.push('s', 'one0', 1);
  queue.push('s', 'two1', 2);
  queue.push('s', 'one1', 1);
  assert.deepEqual(drain(queue), ['one0', 'one1', 'two0', 'two1']);
});
