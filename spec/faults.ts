/**
 * Fault injection: a store wrapper that fails and slows calls
 * deterministically, to test what sits above a store (the pack, retries,
 * error reporting) against an unreliable backend. A failing call throws
 * before the inner store is touched, so an injected fault never half-writes.
 *
 * @module
 */
import { PresenceError } from '../src/errors.js';
import type { PresenceStore } from '../src/store.js';
import { seededRandom } from './prng.js';

/** How {@link withFaults} misbehaves. */
export interface FaultOptions {
  /** Probability in `[0, 1]` that a call fails with `STORE_UNAVAILABLE`. */
  failRate: number;
  /** Each call waits a seeded-random delay in `[0, latencyMs]` first; `0` (the default) waits never. */
  latencyMs?: number;
  /** Seed of the generator deciding which calls fail and how long each waits. */
  seed: number;
  /** How to wait; `setTimeout` by default. Tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const validate = ({ failRate, latencyMs = 0 }: FaultOptions): void => {
  if (!(failRate >= 0 && failRate <= 1)) throw new RangeError(`failRate must be within [0, 1], got ${failRate}`);
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
};

/**
 * Wraps `store` so each call, in call order, draws from a generator seeded by
 * `seed`: it waits up to `latencyMs`, then either fails with a
 * `PresenceError` coded `STORE_UNAVAILABLE` (the inner store untouched) or
 * forwards to the inner store. The same seed and call sequence give the same
 * faults.
 */
export const withFaults = (store: PresenceStore, options: FaultOptions): PresenceStore => {
  validate(options);
  const { failRate, latencyMs = 0, seed, sleep = realSleep } = options;
  const random = seededRandom(seed);
  let calls = 0;
  const faulty =
    <Args extends unknown[], Result>(method: string, forward: (...args: Args) => Result | Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      calls += 1;
      const call = calls;
      const fails = random() < failRate;
      const delay = Math.round(random() * latencyMs);
      if (latencyMs > 0) await sleep(delay);
      if (fails) {
        throw new PresenceError('STORE_UNAVAILABLE', `Injected fault: ${method} (call ${call}) failed before reaching the store (withFaults seed ${seed})`);
      }
      return await forward(...args);
    };
  return {
    get: faulty('get', (id: string) => store.get(id)),
    upsert: faulty('upsert', (row: Parameters<PresenceStore['upsert']>[0]) => store.upsert(row)),
    admit: faulty('admit', (...args: Parameters<PresenceStore['admit']>) => store.admit(...args)),
    update: faulty('update', (row: Parameters<PresenceStore['update']>[0]) => store.update(row)),
    remove: faulty('remove', (id: string) => store.remove(id)),
    channel: faulty('channel', (scope: string, channel: string, now: number) => store.channel(scope, channel, now)),
    sweep: faulty('sweep', (now: number, limit?: number) => store.sweep(now, limit)),
    rows: faulty('rows', () => store.rows()),
    // Only a store that lends lends through the wrapper.
    ...(store.lend === undefined ? {} : { lend: faulty('lend', (id: string) => store.lend!(id)) }),
  };
};
