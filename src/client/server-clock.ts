/**
 * The server's clock, as seen from the page.
 *
 * Liveness is judged by the server's clock (`expiresAt` was written with it),
 * and a laptop's clock can be minutes off. Each heartbeat's ack is the stored
 * row, whose `heartbeatAt` is the server's time while handling it: somewhere
 * between sending and receiving. Taking the midpoint, the error is at most
 * half the round trip, so the sample with the shortest round trip among the
 * recent ones wins (NTP's rule). A heartbeat that waited out a disconnection
 * has a long round trip and loses to any fresh one.
 *
 * @module
 */

/** How many recent samples the estimate chooses from. */
export const CLOCK_SAMPLES = 8;

/** One round trip: local send and receive times and the server time in between. */
export interface ClockSample {
  /** Local time the heartbeat was sent. */
  sentAt: number;
  /** Local time its ack arrived. */
  receivedAt: number;
  /** The ack's `heartbeatAt`: server time during the round trip. */
  serverAt: number;
}

/** The server clock estimate: an offset to add to the local clock. */
export interface ServerClock {
  /** `serverTime - localTime`, in ms (0 until the first sample). */
  offset(): number;
  /** Adds a sample; returns whether the offset changed. */
  observe(sample: ClockSample): boolean;
}

/** A fresh estimate with no samples (offset 0). */
export const createServerClock = (): ServerClock => {
  const samples: ClockSample[] = [];
  let best = 0;
  return {
    offset: () => best,
    observe(sample) {
      if (!(sample.receivedAt >= sample.sentAt) || !Number.isFinite(sample.serverAt)) return false;
      samples.push(sample);
      if (samples.length > CLOCK_SAMPLES) samples.shift();
      const shortest = samples.reduce((a, b) => (b.receivedAt - b.sentAt < a.receivedAt - a.sentAt ? b : a));
      const next = shortest.serverAt - (shortest.sentAt + shortest.receivedAt) / 2;
      const changed = next !== best;
      best = next;
      return changed;
    },
  };
};
