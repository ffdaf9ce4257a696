/**
 * The write coalescer of the Redis store, on a scripted sender whose calls
 * settle only when the test says so: who goes out alone, who waits, the
 * order rows leave in per lane, and what a failing call or a failing row does.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createCoalescer, type CoalesceSender } from '../src/stores/redis/coalesce.js';

/** One call the scripted sender received, settled by the test. */
interface Sent {
  lane: string;
  inputs: string[];
  /** Whether it asked for `load` (a lane's first call, a resend). */
  load: boolean;
  settle: () => void;
}

/**
 * A sender over inputs `lane/name`: outputs echo the input; an input ending
 * in `!row` fails alone inside a multi-row call, one ending in `!call`
 * fails the whole call it rides in.
 */
const scripted = (reply: (inputs: readonly string[]) => readonly (string | Error)[] = (inputs) => inputs.map(echo)) => {
  const sent: Sent[] = [];
  const deferred = <T>(inputs: string[], load: boolean, value: () => T | Error): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const settle = () => {
        if (inputs.some((input) => input.endsWith('!call'))) return reject(new Error(`down ${inputs.join(',')}`));
        if (!load && inputs.some((input) => input.endsWith('!lost'))) return reject(new Error(`NOSCRIPT ${inputs.join(',')}`));
        const output = value();
        return output instanceof Error ? reject(output) : resolve(output);
      };
      sent.push({ lane: inputs[0]!.split('/')[0]!, inputs, load, settle });
    });
  const sender: CoalesceSender<string, string> = {
    lane: (input) => input.split('/')[0],
    one: (input, load) => deferred([input], load, () => echo(input)),
    many: (inputs, load) => deferred([...inputs], load, () => reply(inputs)),
    retries: (error) => error instanceof Error && error.message.startsWith('NOSCRIPT'),
  };
  return { sent, sender };
};

const echo = (input: string): string | Error => (input.endsWith('!row') ? new Error(`refused ${input}`) : `stored ${input}`);

const outcome = (pending: Promise<string>) => pending.then((output) => ({ output }), (error: Error) => ({ error: error.message }));

/** Lets every settled promise run its callbacks. */
const drain = async (): Promise<void> => {
  for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
};

describe('redis write coalescer', () => {
  test('a lone write goes out at once; writes behind a busy lane leave together, in arrival order, and one id may ride twice', async () => {
    const { sent, sender } = scripted();
    const submit = createCoalescer(sender, { maxRows: 3, maxInFlight: 1 });
    const results = ['s/a', 's/b', 't/a', 's/a', 's/c', 's/d'].map((input) => submit(input));
    // Each lane's first write alone; the rest of lane s waits.
    expect(sent.map((call) => call.inputs)).toEqual([['s/a'], ['t/a']]);
    sent[0]!.settle();
    await drain();
    expect(sent[2]!.inputs).toEqual(['s/b', 's/a', 's/c']);
    sent[1]!.settle();
    sent[2]!.settle();
    await drain();
    expect(sent[3]!.inputs).toEqual(['s/d']);
    sent[3]!.settle();
    expect(await Promise.all(results)).toEqual(['s/a', 's/b', 't/a', 's/a', 's/c', 's/d'].map((input) => `stored ${input}`));
  });

  test('a call the sender retries goes again with load, after the lane\'s earlier resends; the lane sends nothing new until the last has settled', async () => {
    const { sent, sender } = scripted();
    const submit = createCoalescer(sender, { maxRows: 10, maxInFlight: 2 });
    const first = submit('s/x');
    // A lane's first call asks for load; the next do not.
    expect(sent.map((call) => call.load)).toEqual([true]);
    sent[0]!.settle();
    await drain();
    expect(await first).toBe('stored s/x');
    const results = ['s/a!lost', 's/b!lost', 's/c', 't/d'].map((input) => submit(input));
    expect(sent.slice(1).map((call) => [call.inputs, call.load])).toEqual([[['s/a!lost'], false], [['s/b!lost'], false], [['t/d'], true]]);
    sent[1]!.settle();
    await drain();
    // a goes again; b's refusal then waits for a's resend, and c for both.
    expect(sent.slice(4).map((call) => [call.inputs, call.load])).toEqual([[['s/a!lost'], true]]);
    sent[2]!.settle();
    await drain();
    expect(sent).toHaveLength(5);
    sent[4]!.settle();
    await drain();
    expect(sent.slice(5).map((call) => [call.inputs, call.load])).toEqual([[['s/b!lost'], true]]);
    sent[5]!.settle();
    await drain();
    expect(sent.slice(6).map((call) => call.inputs)).toEqual([['s/c']]);
    sent[6]!.settle();
    sent[3]!.settle();
    expect(await Promise.all(results)).toEqual(['s/a!lost', 's/b!lost', 's/c', 't/d'].map((input) => `stored ${input}`));
  });

  test('a queued input whose ticket is dropped is never sent; one already sent is marked sent', async () => {
    const { sent, sender } = scripted();
    const submit = createCoalescer(sender, { maxRows: 10, maxInFlight: 1 });
    const tickets = ['s/a', 's/b', 's/c', 's/d'].map(() => ({ sent: false, dropped: false }));
    const results = ['s/a', 's/b', 's/c', 's/d'].map((input, index) => submit(input, tickets[index]));
    expect(tickets.map((ticket) => ticket.sent)).toEqual([true, false, false, false]);
    tickets[1]!.dropped = true;
    tickets[3]!.dropped = true;
    sent[0]!.settle();
    await drain();
    expect(sent.map((call) => call.inputs)).toEqual([['s/a'], ['s/c']]);
    expect(tickets[2]!.sent).toBe(true);
    sent[1]!.settle();
    expect(await Promise.all([results[0], results[2]])).toEqual(['stored s/a', 'stored s/c']);
    await drain();
    // A queue of dropped inputs only empties, sending nothing.
    const dropped = { sent: false, dropped: false };
    void submit('s/e');
    void submit('s/f', dropped);
    dropped.dropped = true;
    sent[2]!.settle();
    await drain();
    expect(sent).toHaveLength(3);
  });

  test('a failing call rejects every write it carried; a row refused alone fails alone; the lane keeps working', async () => {
    const { sent, sender } = scripted();
    const submit = createCoalescer(sender, { maxRows: 10, maxInFlight: 1 });
    const first = ['s/x', 's/a', 's/b!call', 's/c'].map((input) => outcome(submit(input)));
    sent[0]!.settle();
    await drain();
    sent[1]!.settle();
    expect(await Promise.all(first)).toEqual([
      { output: 'stored s/x' },
      ...['s/a', 's/b!call', 's/c'].map(() => ({ error: 'down s/a,s/b!call,s/c' })),
    ]);
    const second = ['s/y', 's/d', 's/e!row', 's/f'].map((input) => outcome(submit(input)));
    sent[2]!.settle();
    await drain();
    sent[3]!.settle();
    expect(await Promise.all(second)).toEqual([{ output: 'stored s/y' }, { output: 'stored s/d' }, { error: 'refused s/e!row' }, { output: 'stored s/f' }]);
  });

  test('a reply with the wrong number of outcomes, or a sender that throws, rejects every write of the call', async () => {
    const { sent, sender } = scripted((inputs) => inputs.slice(1).map(echo));
    const submit = createCoalescer(sender, { maxRows: 10, maxInFlight: 1 });
    const short = ['s/x', 's/a', 's/b'].map((input) => outcome(submit(input)));
    sent[0]!.settle();
    await drain();
    sent[1]!.settle();
    expect((await Promise.all(short)).slice(1)).toEqual([0, 1].map(() => ({ error: 'a multi-row write replied 1 outcomes for 2 rows' })));
    const throwing = createCoalescer<string, string>(
      {
        lane: () => 'one',
        one: () => {
          throw new Error('sync');
        },
        many: () => {
          throw new Error('sync many');
        },
      },
      { maxRows: 10, maxInFlight: 1 },
    );
    // The first goes alone; the two behind it leave together.
    expect(await Promise.all(['a', 'b', 'c'].map((input) => outcome(throwing(input))))).toEqual([{ error: 'sync' }, { error: 'sync many' }, { error: 'sync many' }]);
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom('s', 't', 'u'), fc.constantFrom('a', 'b', 'c', 'd!row')), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { maxLength: 80 })])(
    'any arrival and settle order: bounded calls per lane, rows leave each lane in arrival order, every caller gets its own outcome',
    async (writes, maxRows, maxInFlight, picks) => {
      const { sent, sender } = scripted();
      const submit = createCoalescer(sender, { maxRows, maxInFlight });
      const inputs = writes.map(([lane, name], index) => `${lane}/${name}.${index}`.replace(/(!row)\.(\d+)$/, '.$2$1'));
      const results = inputs.map((input) => outcome(submit(input)));
      const open: Sent[] = [];
      let seen = 0;
      let step = 0;
      while (seen < sent.length || open.length > 0) {
        open.push(...sent.slice(seen));
        seen = sent.length;
        for (const lane of ['s', 't', 'u']) expect(open.filter((call) => call.lane === lane).length).toBeLessThanOrEqual(maxInFlight);
        // Settle one open call, in an order the picks choose.
        const [call] = open.splice((picks[step++] ?? 0) % open.length, 1);
        call!.settle();
        await drain();
      }
      for (const call of sent) {
        expect(call.inputs.length).toBeLessThanOrEqual(maxRows);
        expect(new Set(call.inputs.map(sender.lane)).size).toBe(1);
      }
      for (const lane of ['s', 't', 'u']) {
        expect(sent.filter((call) => call.lane === lane).flatMap((call) => call.inputs)).toEqual(inputs.filter((input) => input.startsWith(`${lane}/`)));
      }
      expect(await Promise.all(results)).toEqual(inputs.map((input) => (input.endsWith('!row') ? { error: `refused ${input}` } : { output: `stored ${input}` })));
    },
  );
});
