/**
 * Coalesces concurrent writes into multi-row statements. A write that finds
 * a free statement slot goes out at once, alone, so a lone caller waits for
 * nothing; writes that arrive while every slot is busy queue and leave
 * together, up to `maxRows` per statement, as soon as a slot frees. The wait
 * is therefore bounded by one statement in flight, with no timer.
 *
 * Two writes of the same id never share a statement: the later one waits for
 * the next, so every caller gets the row exactly as its own write left it
 * (one multi-row `INSERT ... ON CONFLICT` cannot touch a row twice anyway).
 * When a multi-row statement fails, nothing of it was written (one
 * statement, one transaction), and each member is retried alone, so a row
 * that fails fails only its own caller. A member the statement returned
 * nothing for is the sender's to finish (`unwritten`), inside the same slot.
 *
 * @module
 */

/** What a coalescer sends. */
export interface BatchSender<Input, Output> {
  /** Writes one input. */
  one(input: Input): Promise<Output>;
  /** Writes several inputs with distinct keys in one statement; returns one output per key. */
  many(inputs: readonly Input[]): Promise<ReadonlyMap<string, Output>>;
  /** The key two inputs must not share within one statement. */
  key(input: Input): string;
  /** Finishes a member the multi-row statement returned nothing for: writes it another way, or rejects. */
  unwritten(input: Input): Promise<Output>;
}

/** Bounds of a coalescer. */
export interface BatchLimits {
  /** Rows in one statement at most. */
  maxRows: number;
  /** Statements in flight at once at most. */
  maxStatements: number;
}

interface Pending<Input, Output> {
  input: Input;
  resolve: (output: Output) => void;
  reject: (error: unknown) => void;
}

/**
 * Creates a coalescer over a sender.
 *
 * @param sender - how to write one input and several
 * @param limits - rows per statement and statements in flight
 * @returns `submit`, which settles with the input's own output or error
 */
export const createBatcher = <Input, Output>(sender: BatchSender<Input, Output>, limits: BatchLimits): ((input: Input) => Promise<Output>) => {
  let queue: Pending<Input, Output>[] = [];
  let inFlight = 0;

  const settle = (member: Pending<Input, Output>, pending: Promise<Output>): Promise<void> => pending.then(member.resolve, member.reject);

  const send = async (batch: Pending<Input, Output>[]): Promise<void> => {
    if (batch.length === 1) return settle(batch[0]!, sender.one(batch[0]!.input));
    let written: ReadonlyMap<string, Output>;
    try {
      written = await sender.many(batch.map((member) => member.input));
    } catch {
      // The statement wrote nothing: each member alone, so only a failing row fails.
      await Promise.all(batch.map((member) => settle(member, sender.one(member.input))));
      return;
    }
    await Promise.all(
      batch.map((member) => {
        const output = written.get(sender.key(member.input));
        return output === undefined ? settle(member, sender.unwritten(member.input)) : member.resolve(output);
      }),
    );
  };

  /** Takes the next statement's members: queue order, distinct keys, at most `maxRows`. */
  const take = (): Pending<Input, Output>[] => {
    const batch: Pending<Input, Output>[] = [];
    const rest: Pending<Input, Output>[] = [];
    const keys = new Set<string>();
    let index = 0;
    for (; index < queue.length && batch.length < limits.maxRows; index += 1) {
      const member = queue[index]!;
      const key = sender.key(member.input);
      if (keys.has(key)) rest.push(member);
      else {
        keys.add(key);
        batch.push(member);
      }
    }
    queue = index === queue.length ? rest : rest.concat(queue.slice(index));
    return batch;
  };

  const pump = (): void => {
    while (inFlight < limits.maxStatements && queue.length > 0) {
      inFlight += 1;
      void send(take()).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  return (input) =>
    new Promise<Output>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      pump();
    });
};
