/**
 * Coalesces concurrent writes per lane (the Redis store's lane is a shard:
 * one hash slot) into one multi-row script call. A write whose lane has a
 * free slot goes out at once, alone, so a lone caller waits for nothing;
 * writes that arrive while every slot of their lane is busy queue, and leave
 * together, in arrival order, up to `maxRows` per call, as soon as a slot
 * frees. The wait is therefore bounded by one call in flight, with no timer.
 *
 * Unlike the PostgreSQL coalescer, two writes of one id may share a call:
 * the script runs its rows one by one in order, so each caller gets what its
 * own write, run alone in that order, would have got. Calls of one lane
 * reach the server in the order they were sent (one connection per node), so
 * a lane's writes apply in arrival order whatever the batches were.
 *
 * @module
 */

/** What a coalescer sends. */
export interface CoalesceSender<Input, Output> {
  /** The lane of an input; inputs of one lane may share a call. Compared by identity. */
  lane(input: Input): unknown;
  /** Writes one input alone. */
  one(input: Input): Promise<Output>;
  /** Writes several inputs of one lane in one call, in order; one outcome per input, an `Error` for a row that failed alone. */
  many(inputs: readonly Input[]): Promise<readonly (Output | Error)[]>;
}

/** Bounds of a coalescer. */
export interface CoalesceLimits {
  /** Rows in one call at most. */
  readonly maxRows: number;
  /** Calls in flight per lane at most. */
  readonly maxInFlight: number;
}

interface Pending<Input, Output> {
  readonly input: Input;
  readonly resolve: (output: Output) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane<Input, Output> {
  inFlight: number;
  queue: Pending<Input, Output>[];
}

/**
 * Creates a coalescer over a sender.
 *
 * @param sender - the lane of an input, and how to write one input and several
 * @param limits - rows per call and calls in flight per lane
 * @returns `submit`, which settles with the input's own output or error; a failed call rejects every input it carried with its error
 */
export const createCoalescer = <Input, Output>(sender: CoalesceSender<Input, Output>, limits: CoalesceLimits): ((input: Input) => Promise<Output>) => {
  // Lanes are few (one per shard) and reused, so they are never dropped.
  const lanes = new Map<unknown, Lane<Input, Output>>();

  const call = (batch: readonly Pending<Input, Output>[]): Promise<void> => {
    try {
      if (batch.length === 1) return sender.one(batch[0]!.input).then(batch[0]!.resolve, batch[0]!.reject);
      return sender.many(batch.map((member) => member.input)).then(
        (outcomes) => {
          // A reply that does not match the rows cannot be read row by row.
          if (outcomes.length !== batch.length) throw new Error(`a multi-row write replied ${outcomes.length} outcomes for ${batch.length} rows`);
          batch.forEach((member, index) => {
            const outcome = outcomes[index]!;
            if (outcome instanceof Error) member.reject(outcome);
            else member.resolve(outcome);
          });
        },
      ).catch((error: unknown) => batch.forEach((member) => member.reject(error)));
    } catch (error) {
      batch.forEach((member) => member.reject(error));
      return Promise.resolve();
    }
  };

  const pump = (lane: Lane<Input, Output>): void => {
    while (lane.inFlight < limits.maxInFlight && lane.queue.length > 0) {
      lane.inFlight += 1;
      const batch = lane.queue.length <= limits.maxRows ? lane.queue : lane.queue.slice(0, limits.maxRows);
      lane.queue = batch === lane.queue ? [] : lane.queue.slice(limits.maxRows);
      void call(batch).then(() => {
        lane.inFlight -= 1;
        pump(lane);
      });
    }
  };

  return (input) =>
    new Promise<Output>((resolve, reject) => {
      const key = sender.lane(input);
      let lane = lanes.get(key);
      if (lane === undefined) {
        lane = { inFlight: 0, queue: [] };
        lanes.set(key, lane);
      }
      lane.queue.push({ input, resolve, reject });
      pump(lane);
    });
};
