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
 * a lane's writes apply in arrival order whatever the batches were; a call
 * the server refused as a whole before running it (Redis `NOSCRIPT`) is sent
 * again, in order, with the lane held meanwhile (`retries`). A caller may
 * withdraw a write that is still queued (`CoalesceTicket`).
 *
 * @module
 */

/** What a coalescer sends. */
export interface CoalesceSender<Input, Output> {
  /** The lane of an input; inputs of one lane may share a call. Compared by identity. */
  lane(input: Input): unknown;
  /**
   * Writes one input alone. `load` asks for a call that needs nothing the
   * server may lack (Redis: `EVAL`, not `EVALSHA`): on a lane's first call,
   * so the calls behind it find the script loaded, and on a resend.
   */
  one(input: Input, load: boolean): Promise<Output>;
  /** Writes several inputs of one lane in one call, in order; one outcome per input, an `Error` for a row that failed alone; `load` as for `one`. */
  many(inputs: readonly Input[], load: boolean): Promise<readonly (Output | Error)[]>;
  /**
   * Whether a failed call is sent once more, with `load` (Redis:
   * `NOSCRIPT`). The lane then holds: resends go out one by one in the
   * order their calls were sent, and nothing new of the lane leaves before
   * the last has settled, so the calls of a lane that lost its script still
   * apply in the order they were sent.
   */
  retries?(error: unknown): boolean;
}

/** Bounds of a coalescer. */
export interface CoalesceLimits {
  /** Rows in one call at most. */
  readonly maxRows: number;
  /** Calls in flight per lane at most. */
  readonly maxInFlight: number;
}

/**
 * A caller's hold on its queued input: `sent` turns true when the input
 * leaves in a call; setting `dropped` before that keeps it from ever being
 * sent (the caller stopped waiting; its promise then never settles).
 */
export interface CoalesceTicket {
  sent: boolean;
  dropped: boolean;
}

interface Pending<Input, Output> {
  readonly input: Input;
  readonly resolve: (output: Output) => void;
  readonly reject: (error: unknown) => void;
  readonly ticket: CoalesceTicket | undefined;
}

interface Lane<Input, Output> {
  inFlight: number;
  queue: Pending<Input, Output>[];
  /** Resends not yet settled; the lane sends nothing new while any is. */
  held: number;
  /** The last resend, which the next one waits for. */
  resent: Promise<unknown>;
  /** Whether the lane has sent a call yet. */
  used: boolean;
}

/**
 * Creates a coalescer over a sender.
 *
 * @param sender - the lane of an input, how to write one input and several, and which failures to send again
 * @param limits - rows per call and calls in flight per lane
 * @returns `submit`, which settles with the input's own output or error (a failed call rejects every input it carried with its error); its `ticket`, if given, lets the caller withdraw an input still queued
 */
export const createCoalescer = <Input, Output>(
  sender: CoalesceSender<Input, Output>,
  limits: CoalesceLimits,
): ((input: Input, ticket?: CoalesceTicket) => Promise<Output>) => {
  // Lanes are few (one per shard) and reused, so they are never dropped.
  const lanes = new Map<unknown, Lane<Input, Output>>();

  const send = (batch: readonly Pending<Input, Output>[], load: boolean): Promise<void> => {
    if (batch.length === 1) return sender.one(batch[0]!.input, load).then(batch[0]!.resolve);
    return sender.many(
      batch.map((member) => member.input),
      load,
    ).then((outcomes) => {
      // A reply that does not match the rows cannot be read row by row.
      if (outcomes.length !== batch.length) throw new Error(`a multi-row write replied ${outcomes.length} outcomes for ${batch.length} rows`);
      batch.forEach((member, index) => {
        const outcome = outcomes[index]!;
        if (outcome instanceof Error) member.reject(outcome);
        else member.resolve(outcome);
      });
    });
  };

  const fail = (batch: readonly Pending<Input, Output>[], error: unknown): void => batch.forEach((member) => member.reject(error));

  /** Sends a batch; a failure the sender retries is sent again after the lane's earlier resends, the lane held meanwhile. */
  const call = (lane: Lane<Input, Output>, batch: readonly Pending<Input, Output>[]): Promise<void> => {
    const resend = (error: unknown): Promise<void> => {
      if (sender.retries?.(error) !== true) return Promise.reject(error);
      lane.held += 1;
      const again = lane.resent.then(() => send(batch, true));
      lane.resent = again.catch(() => undefined);
      return again.finally(() => {
        lane.held -= 1;
      });
    };
    const load = !lane.used;
    lane.used = true;
    try {
      return send(batch, load).catch(resend).catch((error: unknown) => fail(batch, error));
    } catch (error) {
      fail(batch, error);
      return Promise.resolve();
    }
  };

  /** Up to `maxRows` of the queue's inputs no caller dropped, taken off the queue. */
  const take = (lane: Lane<Input, Output>): Pending<Input, Output>[] => {
    const batch: Pending<Input, Output>[] = [];
    let index = 0;
    for (; index < lane.queue.length && batch.length < limits.maxRows; index += 1) {
      const member = lane.queue[index]!;
      if (member.ticket === undefined) batch.push(member);
      else if (!member.ticket.dropped) {
        member.ticket.sent = true;
        batch.push(member);
      }
    }
    lane.queue = index === lane.queue.length ? [] : lane.queue.slice(index);
    return batch;
  };

  const pump = (lane: Lane<Input, Output>): void => {
    while (lane.held === 0 && lane.inFlight < limits.maxInFlight && lane.queue.length > 0) {
      const batch = take(lane);
      if (batch.length === 0) continue;
      lane.inFlight += 1;
      void call(lane, batch).then(() => {
        lane.inFlight -= 1;
        pump(lane);
      });
    }
  };

  return (input, ticket) =>
    new Promise<Output>((resolve, reject) => {
      const key = sender.lane(input);
      let lane = lanes.get(key);
      if (lane === undefined) {
        lane = { inFlight: 0, queue: [], held: 0, resent: Promise.resolve(), used: false };
        lanes.set(key, lane);
      }
      lane.queue.push({ input, resolve, reject, ticket });
      pump(lane);
    });
};
