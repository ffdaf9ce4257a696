/**
 * The reference buses' wire form, without a server: a batch survives the
 * codec whatever its rows hold (unicode, NUL, lone surrogates, bigints,
 * keys that look like the codec's own tags), the encoding is pure ASCII,
 * and NOTIFY-sized parts join back into the payload they came from; the
 * PostgreSQL bus sends one batch at a time, in publish order.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createReassembler, NOTIFY_PAYLOAD_LIMIT, splitPayload } from '../examples/buses/chunks.js';
import type { ClusterMessage } from '../spec/engine/cluster.js';
import { ClusterMessageDecodeError, decodeClusterMessage, encodeClusterMessage } from '../examples/buses/codec.js';
import { createPostgresClusterBus } from '../examples/buses/pg-bus.js';
import type pg from 'pg';

const strings = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\u0000', '\ud800', 'x\udc00', '😀', 'é€', '$bigint', '$entries', '"\\'));
// Values JSON keeps exactly (no -0, NaN, undefined), plus bigints.
const leaves = fc.oneof(strings, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), fc.boolean(), fc.constant(null), fc.bigInt());
const values = fc.anything({ values: [leaves], key: fc.oneof(strings, fc.constantFrom('$bigint', '$entries')), maxDepth: 3 });
const messages: fc.Arbitrary<ClusterMessage> = fc.record({
  origin: strings,
  originVersion: fc.nat(),
  changes: fc.array(fc.record({ table: strings, change: fc.record({ op: fc.constantFrom('insert', 'update', 'delete'), row: values }) }), { maxLength: 5 }),
});

describe('cluster message codec', () => {
  test.prop([messages])('a batch decodes to what was encoded', (message) => {
    expect(decodeClusterMessage(encodeClusterMessage(message))).toEqual(message);
  });

  test.prop([messages])('the encoding is printable ASCII: no NUL, no raw surrogate, no multi-byte character', (message) => {
    expect(encodeClusterMessage(message)).toMatch(/^[\u0020-\u007e]*$/);
  });

  it('keeps a bigint row key a bigint, and a row that spells a tag a plain object', () => {
    const message: ClusterMessage = { origin: 'a', changes: [{ table: 't', change: { op: 'insert', row: { id: 2n ** 70n, tag: { $bigint: '5' }, list: { $entries: [] } } } }] };
    const decoded = decodeClusterMessage(encodeClusterMessage(message));
    expect(decoded.changes[0]!.change).toEqual({ op: 'insert', row: { id: 2n ** 70n, tag: { $bigint: '5' }, list: { $entries: [] } } });
    expect(typeof (decoded.changes[0]!.change as { row: { id: unknown } }).row.id).toBe('bigint');
  });

  it.each([
    ['not JSON', '{"origin":'],
    ['no origin', '{"changes":[]}'],
    ['changes not an array', '{"origin":"a","changes":{}}'],
    ['not an object', '[1]'],
  ])('rejects a payload that is %s with BAD_CLUSTER_MESSAGE', (_, payload) => {
    expect(() => decodeClusterMessage(payload)).toThrow(ClusterMessageDecodeError);
    expect(() => decodeClusterMessage(payload)).toThrow(expect.objectContaining({ code: 'BAD_CLUSTER_MESSAGE', message: expect.stringContaining('encodeClusterMessage') }));
  });
});

describe('NOTIFY parts', () => {
  const ascii = fc.string({ unit: 'binary-ascii', maxLength: 3_000 });

  test.prop([ascii, fc.integer({ min: 60, max: 400 }), fc.nat()])('every part fits the limit and the parts join to the payload', (payload, limit, sequence) => {
    const parts = splitPayload(payload, 'sender01', sequence, limit);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
    const join = createReassembler();
    const results = parts.map(join);
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
    expect(results.at(-1)).toBe(payload);
  });

  test.prop([ascii, ascii, fc.integer({ min: 60, max: 200 })])('two senders whose parts interleave are joined apart', (first, second, limit) => {
    const a = splitPayload(first, 'a', 1, limit);
    const b = splitPayload(second, 'b', 1, limit);
    const join = createReassembler();
    const done: string[] = [];
    for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
      for (const part of [a[index], b[index]]) {
        const whole = part === undefined ? undefined : join(part);
        if (whole !== undefined) done.push(whole);
      }
    }
    expect(done.sort()).toEqual([first, second].sort());
  });

  it('drops a batch whose parts stopped coming when the same sender starts its next one', () => {
    const join = createReassembler();
    const cut = splitPayload('x'.repeat(500), 's', 1, 100);
    const next = splitPayload('y'.repeat(300), 's', 2, 100);
    cut.slice(0, -1).forEach(join);
    const results = next.map(join);
    expect(results.at(-1)).toBe('y'.repeat(300));
    // The rest of the cut batch, arriving late, cannot complete anything.
    expect(join(cut.at(-1)!)).toBeUndefined();
  });

  it('uses the whole NOTIFY budget by default, and refuses a limit with no room', () => {
    const parts = splitPayload('z'.repeat(20_000), 'sender01', 7);
    const longest = Math.max(...parts.map((part) => part.length));
    expect(longest).toBeLessThanOrEqual(NOTIFY_PAYLOAD_LIMIT);
    // Only the header's worst-case digits are held back.
    expect(longest).toBeGreaterThan(NOTIFY_PAYLOAD_LIMIT - 20);
    expect(() => splitPayload('z', 'sender01', 1, 10)).toThrow(RangeError);
  });

  it('rejects a notification without a part header', () => {
    expect(() => createReassembler()('{"origin":"a","changes":[]}')).toThrow(expect.objectContaining({ code: 'BAD_CLUSTER_MESSAGE' }));
  });
});

describe('PostgreSQL bus publishing order', () => {
  // A pool whose statements settle only when the test says so: a bus that sent a batch before the previous one settled could have them
  // commit (and NOTIFY) in the other order on two connections.
  test.prop([fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 7 })])(
    'sends one batch at a time, in publish order, and a failed send does not stop the next',
    async (count, failing) => {
      const sent: { version: number; settle: (ok: boolean) => void }[] = [];
      const pool = {
        query: (_sql: string, [, parts]: [string, string[]]) =>
          new Promise((resolve, reject) => {
            const version = decodeClusterMessage(createReassemblerFor(parts)).originVersion ?? -1;
            sent.push({ version, settle: (ok) => (ok ? resolve({ rows: [] }) : reject(new Error('lost'))) });
          }),
      };
      const bus = createPostgresClusterBus({ pool: pool as unknown as pg.Pool, channel: 'order', onError: () => undefined });
      const outcomes = Array.from({ length: count }, (_, version) => Promise.resolve(bus.publish({ origin: 'a', originVersion: version, changes: [] })).then(() => 'ok', () => 'failed'));
      for (let step = 0; step < count; step++) {
        await new Promise((resolve) => setImmediate(resolve));
        // Exactly one statement is out at a time, and it carries the next batch.
        expect(sent.map((send) => send.version)).toEqual(Array.from({ length: step + 1 }, (_, version) => version));
        sent[step]!.settle(step !== failing);
      }
      expect(await Promise.all(outcomes)).toEqual(Array.from({ length: count }, (_, version) => (version === failing ? 'failed' : 'ok')));
    },
  );
});

/** Joins the NOTIFY parts of one statement back into the payload. */
const createReassemblerFor = (parts: string[]): string => {
  const reassemble = createReassembler();
  let whole: string | undefined;
  for (const part of parts) whole = reassemble(part) ?? whole;
  return whole!;
};
