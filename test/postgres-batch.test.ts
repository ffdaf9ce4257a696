/**
 * The write coalescer of the PostgreSQL store, on a scripted sender whose
 * statements settle only when the test says so: who goes out alone, who
 * waits, how big a statement gets, and what a failing statement does.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createBatcher, type BatchSender } from '../src/stores/postgres/batch.js';

/** One statement the scripted sender received, settled by the test. */
interface Sent {
  inputs: string[];
  settle: (fail?: (input: string) => boolean) => void;
}

/** A sender over string inputs `id:n` (key = id); outputs echo the input; failing inputs reject. */
const scripted = () => {
  const sent: Sent[] = [];
  let poison: (input: string) => boolean = () => false;
  const deferred = <T>(inputs: string[], value: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      sent.push({
        inputs,
        settle: (fail = poison) => (inputs.some(fail) ? reject(new Error(`bad ${inputs.join(',')}`)) : resolve(value())),
      });
    });
  const sender: BatchSender<string, string> = {
    one: (input) => deferred([input], () => `stored ${input}`),
    many: (inputs) => deferred([...inputs], () => new Map(inputs.filter((input) => !input.endsWith('!gone')).map((input) => [input.split(':')[0]!, `stored ${input}`]))),
    key: (input) => input.split(':')[0]!,
    unwritten: (input) => Promise.reject(new Error(`missing ${input}`)),
  };
  return { sent, sender, poisonWhen: (rule: (input: string) => boolean) => (poison = rule) };
};

/** Lets every settled promise run its callbacks. */
const drain = async (): Promise<void> => {
  for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
};

describe('postgres write coalescer', () => {
  test('a lone write goes out at once, alone; writes behind busy slots leave together when one frees', async () => {
    const { sent, sender } = scripted();
    const submit = createBatcher(sender, { maxRows: 3, maxStatements: 2 });
    const results = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'f:1'].map(submit);
    expect(sent.map((statement) => statement.inputs)).toEqual([['a:1'], ['b:1']]);
    sent[0]!.settle();
    await drain();
    // One slot freed: the next statement takes the first three waiting.
    expect(sent.map((statement) => statement.inputs)).toEqual([['a:1'], ['b:1'], ['c:1', 'd:1', 'e:1']]);
    sent[1]!.settle();
    await drain();
    expect(sent[3]!.inputs).toEqual(['f:1']);
    for (const statement of sent.slice(2)) statement.settle();
    expect(await Promise.all(results)).toEqual(['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'f:1'].map((input) => `stored ${input}`));
  });

  test('two writes of one id never share a statement; the later waits in order', async () => {
    const { sent, sender } = scripted();
    const submit = createBatcher(sender, { maxRows: 10, maxStatements: 1 });
    const results = ['a:1', 'a:2', 'b:1', 'a:3', 'c:1'].map(submit);
    sent[0]!.settle();
    await drain();
    expect(sent[1]!.inputs).toEqual(['a:2', 'b:1', 'c:1']);
    sent[1]!.settle();
    await drain();
    expect(sent[2]!.inputs).toEqual(['a:3']);
    sent[2]!.settle();
    expect(await Promise.all(results)).toEqual(['a:1', 'a:2', 'b:1', 'a:3', 'c:1'].map((input) => `stored ${input}`));
  });

  test('a failing statement is retried row by row: only the bad row fails; a row the statement skipped fails alone', async () => {
    const { sent, sender, poisonWhen } = scripted();
    const submit = createBatcher(sender, { maxRows: 10, maxStatements: 1 });
    poisonWhen((input) => input === 'p:1');
    const results = ['x:1', 'a:1', 'p:1', 'b:1', 'q:1!gone'].map((input) => submit(input).then((output) => ({ output }), (error: Error) => ({ error: error.message })));
    sent[0]!.settle();
    await drain();
    expect(sent[1]!.inputs).toEqual(['a:1', 'p:1', 'b:1', 'q:1!gone']);
    sent[1]!.settle();
    await drain();
    // The whole statement failed: each member alone.
    expect(sent.slice(2).map((statement) => statement.inputs)).toEqual([['a:1'], ['p:1'], ['b:1'], ['q:1!gone']]);
    for (const statement of sent.slice(2)) statement.settle();
    expect(await Promise.all(results)).toEqual([{ output: 'stored x:1' }, { output: 'stored a:1' }, { error: 'bad p:1' }, { output: 'stored b:1' }, { output: 'stored q:1!gone' }]);

    // A statement that succeeds without one member's row: that member alone gets the error.
    const skipped = ['y:1', 'c:1', 'r:1!gone'].map((input) => submit(input).then((output) => ({ output }), (error: Error) => ({ error: error.message })));
    sent.at(-1)!.settle(); // y:1, alone
    await drain();
    sent.at(-1)!.settle(); // c:1 and r:1!gone together
    expect(await Promise.all(skipped)).toEqual([{ output: 'stored y:1' }, { output: 'stored c:1' }, { error: 'missing r:1!gone' }]);
  });

  test('a member the statement skipped is finished by the sender, inside the same slot', async () => {
    const { sent, sender } = scripted();
    // Skipped members go out alone, as a statement of their own that the test settles.
    const submit = createBatcher({ ...sender, unwritten: (input) => sender.one(`again ${input}`) }, { maxRows: 10, maxStatements: 1 });
    const results = ['x:1', 'a:1', 'r:1!gone'].map(submit);
    sent[0]!.settle();
    await drain();
    sent[1]!.settle();
    await drain();
    expect(sent[2]!.inputs).toEqual(['again r:1!gone']);
    const later = submit('y:1');
    await drain();
    // The slot is still taken by the skipped member's write.
    expect(sent.length).toBe(3);
    sent[2]!.settle();
    await drain();
    expect(sent[3]!.inputs).toEqual(['y:1']);
    sent[3]!.settle();
    expect(await Promise.all([...results, later])).toEqual(['stored x:1', 'stored a:1', 'stored again r:1!gone', 'stored y:1']);
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(3)), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(), { maxLength: 80 })])(
    'any arrival and settle order: bounded statements, distinct ids per statement, every caller gets its own output',
    async (writes, maxRows, maxStatements, picks) => {
      const { sent, sender } = scripted();
      const submit = createBatcher(sender, { maxRows, maxStatements });
      const inputs = writes.map(([id, n], index) => `${id}:${n}.${index}`);
      const results = inputs.map(submit);
      let settled = 0;
      let step = 0;
      while (settled < sent.length) {
        const open = sent.slice(settled);
        expect(open.length).toBeLessThanOrEqual(maxStatements);
        // Settle the open statements in an order the picks choose.
        const index = settled + ((picks[step++] ?? 0) % open.length);
        [sent[settled], sent[index]] = [sent[index]!, sent[settled]!];
        sent[settled]!.settle();
        settled += 1;
        await drain();
      }
      for (const statement of sent) {
        expect(statement.inputs.length).toBeLessThanOrEqual(maxRows);
        expect(new Set(statement.inputs.map(sender.key)).size).toBe(statement.inputs.length);
      }
      expect(sent.flatMap((statement) => statement.inputs).sort()).toEqual([...inputs].sort());
      expect(await Promise.all(results)).toEqual(inputs.map((input) => `stored ${input}`));
    },
  );
});
