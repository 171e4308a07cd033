import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGandalfDate } from '../../src/domain/dates.js';

void test('valid month-first dates', () => {
  assert.deepEqual(parseGandalfDate('1/5/2024'), { ok: true, date: '2024-01-05' });
  assert.deepEqual(parseGandalfDate('12/31/1999'), { ok: true, date: '1999-12-31' });
  assert.deepEqual(parseGandalfDate('02/29/2024'), { ok: true, date: '2024-02-29' }); // leap year
  assert.deepEqual(parseGandalfDate('2/29/2000'), { ok: true, date: '2000-02-29' }); // 400-year leap
  assert.deepEqual(parseGandalfDate(' 7/4/2100 '), { ok: true, date: '2100-07-04' });
});

void test('day-first ambiguity is read month first, never swapped', () => {
  assert.deepEqual(parseGandalfDate('5/4/2024'), { ok: true, date: '2024-05-04' });
  const r = parseGandalfDate('25/12/2024');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /month 25/);
});

void test('impossible dates are reported with a reason', () => {
  for (const s of ['13/1/2024', '2/30/2023', '2/29/2023', '0/5/2020', '4/31/2021', '1/0/2020', '2/29/1900']) {
    const r = parseGandalfDate(s);
    assert.equal(r.ok, false, s);
    assert.ok(!r.ok && r.reason.includes(s), `reason should quote the input: ${s}`);
  }
  const feb = parseGandalfDate('2/29/2023');
  assert.match(!feb.ok ? feb.reason : '', /February 2023 has 28 days/);
});

void test('non-numeric or malformed strings are rejected', () => {
  for (const s of ['', 'yesterday', 'a/b/cdef', '1/2/24', '2024-01-05', '1-5-2024', '1/5/2024 10:00', '100/1/2024', '1/5/20245']) {
    assert.equal(parseGandalfDate(s).ok, false, s);
  }
});

void test('years outside 1990..2100 are rejected', () => {
  assert.equal(parseGandalfDate('1/1/1989').ok, false);
  assert.equal(parseGandalfDate('1/1/2101').ok, false);
  assert.equal(parseGandalfDate('1/1/1990').ok, true);
});

