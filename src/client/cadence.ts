/**
 * When heartbeats go out, derived from the pack's TTL.
 *
 * A visible page renews every third of the TTL, so two heartbeats in a row
 * can be lost before the lease ends. A hidden page renews at about half the
 * TTL: fewer wake-ups, one loss still tolerated. Both are jittered by up to
 * 10% so tabs opened together do not renew in lockstep.
 *
 * @module
 */

/** Fraction of the TTL between heartbeats of a visible page. */
export const VISIBLE_FRACTION = 1 / 3;

/** Fraction of the TTL between heartbeats of a hidden page. */
export const HIDDEN_FRACTION = 1 / 2;

/** Largest jitter, as a fraction of the period. */
export const JITTER = 0.1;

/**
 * The delay before the next heartbeat: the period for this visibility,
 * shortened by up to `JITTER` (10%) of itself (never lengthened, so the margin
 * inside the TTL only grows).
 *
 * @param ttlMs - the pack's heartbeat TTL in ms
 * @param hidden - whether the page is hidden
 * @param random - a uniform number in [0, 1)
 */
export const heartbeatDelay = (ttlMs: number, hidden: boolean, random: number): number =>
  ttlMs * (hidden ? HIDDEN_FRACTION : VISIBLE_FRACTION) * (1 - JITTER * random);
