/**
 * Config resolution: defaults applied and every key checked once, at the
 * factory, so a bad config fails before the pack is registered.
 *
 * @module
 */
import { Cron } from 'croner';
import type { Awaitable, CollectionContext } from './contract.js';
import type { PresenceLimits, PresencePackConfig } from './config.js';
import { PresenceConfigError, PresenceError } from './errors.js';
import { isPlainObject } from './json.js';
import { MAX_STATE_DEPTH } from './row.js';
import type { PresenceStore } from './store.js';
import { guardStore } from './store-guard.js';
import { adaptLegacyPresenceStore, isLegacyPresenceStore } from './stores/legacy.js';
import { createMemoryPresenceStore } from './stores/memory.js';

/** The config with defaults applied and durations in milliseconds. */
export interface PresenceSettings<Ctx = CollectionContext> {
  /** Name prefix, `''` for none. */
  prefix: string;
  /** Reads the actor id from ctx (unchecked). */
  getActorId: (ctx: Ctx) => unknown;
  /** Reads the scope from ctx (unchecked); undefined when the pack is unscoped. */
  scope: ((ctx: Ctx) => unknown) | undefined;
  /** Channel gate. */
  canAccessChannel: ((channel: string, ctx: Ctx) => Awaitable<boolean>) | undefined;
  /** Deadline of one gate call in ms. */
  accessTimeoutMs: number;
  /** Heartbeat TTL in ms. */
  ttlMs: number;
  /** Typing TTL in ms. */
  typingTtlMs: number;
  /** Cleanup cron pattern. */
  cleanupCron: string;
  /** The store (0.3 stores already adapted), behind the deadline and answer checks of `store-guard.ts`. */
  store: PresenceStore;
  /** The clock. */
  now: () => number;
  /** Largest state in UTF-8 bytes of its JSON. */
  maxStateBytes: number;
  /** Deepest nesting of a state. */
  maxStateDepth: number;
  /** Longest channel. */
  maxChannelLength: number;
  /** Longest session id. */
  maxSessionLength: number;
  /** Most live members per channel. */
  maxMembersPerChannel: number;
  /** Most live sessions of one actor per channel. */
  maxSessionsPerActor: number;
  /** Most rows one cleanup run removes. */
  cleanupBatchSize: number;
}

const PREFIX = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Longest TTL: a year, so `now + ttl` stays an exact integer every bundled store keeps. */
const MAX_TTL_MS = 365 * 24 * 3600 * 1000;

const positiveSeconds = (key: string, value: number | undefined, fallback: number): number => {
  const seconds = value === undefined ? fallback : value;
  // Whole milliseconds: stores may keep times as integers (PostgreSQL bigint).
  const ms = typeof seconds === 'number' ? Math.round(seconds * 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_TTL_MS) {
    throw new PresenceConfigError('INVALID_TTL', `${key} must be a number of seconds from 0.001 to 31536000 (a year); got ${shown(value)}.`);
  }
  return ms;
};

const positiveInteger = (key: string, value: number | undefined, fallback: number): number => {
  const count = value === undefined ? fallback : value;
  const ok = count === Infinity || (Number.isSafeInteger(count) && count > 0);
  if (typeof count !== 'number' || !ok) {
    throw new PresenceConfigError('INVALID_LIMIT', `${key} must be a positive integer; got ${shown(value)}.`);
  }
  return count;
};

const boundedInteger = (key: string, value: number | undefined, fallback: number, max: number): number => {
  const count = positiveInteger(key, value, fallback);
  if (count > max) throw new PresenceConfigError('INVALID_LIMIT', `${key} must be at most ${max}; got ${shown(value)}.`);
  return count;
};

const optionalFunction = <Fn>(key: string, value: Fn | undefined): Fn | undefined => {
  if (value !== undefined && typeof value !== 'function') {
    throw new PresenceConfigError('INVALID_OPTION', `${key} must be a function; got ${typeof value}.`);
  }
  return value;
};

const resolvePrefix = (prefix: unknown): string => {
  if (prefix === undefined) return '';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new PresenceConfigError(
      'INVALID_PREFIX',
      `prefix must start with a letter and hold only letters, digits, "_" or "-" (e.g. "docs_"); got ${JSON.stringify(prefix)}. Omit it for the unprefixed names.`,
    );
  }
  return prefix;
};

const resolveCron = (pattern: unknown): string => {
  if (typeof pattern !== 'string') {
    throw new PresenceConfigError('INVALID_CRON', `cleanupCron must be a cron pattern string; got ${typeof pattern}.`);
  }
  let next: Date | null;
  try {
    next = new Cron(pattern).nextRun();
  } catch (error) {
    throw new PresenceConfigError(
      'INVALID_CRON',
      `cleanupCron ${JSON.stringify(pattern)} is not a valid cron pattern (${(error as Error).message}); e.g. "*/15 * * * * *".`,
    );
  }
  if (next === null) {
    throw new PresenceConfigError('INVALID_CRON', `cleanupCron ${JSON.stringify(pattern)} never fires (no such date), so expired rows would never be reclaimed; e.g. "*/15 * * * * *".`);
  }
  return pattern;
};

const resolveTimeout = (key: 'storeTimeoutMs' | 'accessTimeoutMs', value: unknown): number => {
  const timeoutMs = value === undefined ? 10_000 : value;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new PresenceConfigError('INVALID_OPTION', `${key} must be a positive finite number of milliseconds; got ${typeof value === 'number' ? String(value) : typeof value}.`);
  }
  return timeoutMs;
};

const STORE_METHODS = ['get', 'upsert', 'admit', 'update', 'remove', 'channel', 'sweep', 'rows'] as const;

const LEGACY_METHODS = [
  ['reader', 'all'],
  ['writer', 'insert'],
  ['writer', 'update'],
  ['writer', 'delete'],
] as const;

const resolveStore = (store: PresencePackConfig['store']): PresenceStore => {
  if (store === undefined) return createMemoryPresenceStore();
  if (typeof store === 'object' && store !== null) {
    if (isLegacyPresenceStore(store)) {
      const missing = LEGACY_METHODS.filter(([part, method]) => typeof (store[part] as Record<string, unknown> | null)?.[method] !== 'function').map((path) => path.join('.'));
      if (typeof store.expired !== 'function') missing.push('expired');
      if (missing.length === 0) return adaptLegacyPresenceStore(store);
      throw new PresenceConfigError('INVALID_STORE', `store looks like a 0.3 store but ${missing.join(', ')} is not a function: pass a 0.3 store with reader.all, writer.insert/update/delete and expired, or a PresenceStore.`);
    }
    const missing = STORE_METHODS.filter((method) => typeof store[method] !== 'function');
    if (missing.length === 0) return store;
    throw new PresenceConfigError('INVALID_STORE', `store is missing ${missing.join(', ')}: implement the PresenceStore interface, or pass a 0.3 store.`);
  }
  throw new PresenceConfigError('INVALID_STORE', `store must be a PresenceStore object; got ${shown(store)}.`);
};

const defaultActorId = (ctx: unknown): unknown => (ctx as { userId?: unknown } | undefined)?.userId;

/** A config value in a message: primitives as JSON, anything else by its type (never called into). */
const shown = (value: unknown): string => {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return JSON.stringify(value) ?? String(value);
  return typeof value === 'undefined' ? 'undefined' : typeof value === 'object' ? 'an object' : typeof value;
};

const CONFIG_KEYS = [
  'prefix',
  'getActorId',
  'scope',
  'canAccessChannel',
  'heartbeatTtlSec',
  'cleanupCron',
  'typingTtlSec',
  'store',
  'storeTimeoutMs',
  'accessTimeoutMs',
  'now',
  'limits',
  'cleanupBatchSize',
] as const satisfies readonly (keyof PresencePackConfig)[];

const LIMIT_KEYS = [
  'maxStateBytes',
  'maxStateDepth',
  'maxChannelLength',
  'maxSessionLength',
  'maxMembersPerChannel',
  'maxSessionsPerActor',
] as const satisfies readonly (keyof PresenceLimits)[];

/** Edit distance, case-insensitive: how far a typo is from a known key. */
const distance = (left: string, right: string): number => {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
};

/** Checks that `value` is a plain object with only `known` keys; a typo names the closest one. */
const plainOptions = (value: unknown, where: string, known: readonly string[], code: 'INVALID_OPTION' | 'INVALID_LIMIT'): Record<string, unknown> => {
  if (!isPlainObject(value)) throw new PresenceConfigError(code, `${where} must be a plain object; got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : shown(value)}.`);
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const closest = [...known].sort((left, right) => distance(key, left) - distance(key, right))[0]!;
    throw new PresenceConfigError('INVALID_OPTION', `${where} has an unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(closest)}? Known keys: ${known.join(', ')}.`);
  }
  return value;
};

/**
 * The clock, checked on every read: a non-finite time would make every row
 * unreadable to some store, so it is refused; a fractional one is floored to
 * whole milliseconds, which every bundled store keeps exactly.
 */
const checkedClock = (now: () => number): (() => number) => () => {
  const time = now();
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new PresenceError('INVALID_CLOCK', `now() returned ${shown(time)}; it must return finite epoch milliseconds (config.now).`);
  }
  return Math.floor(time);
};

/**
 * The prefix each store object serves. Rows carry no prefix, so two packs
 * with different prefixes on one store would read each other's rows: the
 * second is refused. (Separate store objects on one backend need their own
 * `keyPrefix` or `table`.)
 */
const prefixOfStore = new WeakMap<object, string>();

const claimStore = (store: unknown, prefix: string): void => {
  if (typeof store !== 'object' || store === null) return;
  const held = prefixOfStore.get(store);
  if (held !== undefined && held !== prefix) {
    throw new PresenceConfigError(
      'INVALID_STORE',
      `this store already serves the pack with prefix ${JSON.stringify(held)}; a pack with prefix ${JSON.stringify(prefix)} would share its rows. Give each prefix its own store (its own Redis keyPrefix or PostgreSQL table).`,
    );
  }
  prefixOfStore.set(store, prefix);
};

/** Applies defaults and checks every key; throws `PresenceConfigError`. */
export const resolveSettings = <Ctx>(input: PresencePackConfig<Ctx> = {}): PresenceSettings<Ctx> => {
  const config = plainOptions(input, 'config', CONFIG_KEYS, 'INVALID_OPTION') as PresencePackConfig<Ctx>;
  const limits = plainOptions(config.limits === undefined ? {} : config.limits, 'limits', LIMIT_KEYS, 'INVALID_LIMIT') as PresenceLimits;
  const prefix = resolvePrefix(config.prefix);
  const store = guardStore(resolveStore(config.store), resolveTimeout('storeTimeoutMs', config.storeTimeoutMs));
  claimStore(config.store, prefix);
  return {
    prefix,
    getActorId: optionalFunction('getActorId', config.getActorId) ?? defaultActorId,
    scope: optionalFunction('scope', config.scope),
    canAccessChannel: optionalFunction('canAccessChannel', config.canAccessChannel),
    accessTimeoutMs: resolveTimeout('accessTimeoutMs', config.accessTimeoutMs),
    ttlMs: positiveSeconds('heartbeatTtlSec', config.heartbeatTtlSec, 30),
    typingTtlMs: positiveSeconds('typingTtlSec', config.typingTtlSec, 5),
    cleanupCron: resolveCron(config.cleanupCron === undefined ? '*/15 * * * * *' : config.cleanupCron),
    store,
    now: checkedClock(optionalFunction('now', config.now) ?? Date.now),
    maxStateBytes: positiveInteger('limits.maxStateBytes', limits.maxStateBytes, 8192),
    maxStateDepth: boundedInteger('limits.maxStateDepth', limits.maxStateDepth, 64, MAX_STATE_DEPTH),
    maxChannelLength: positiveInteger('limits.maxChannelLength', limits.maxChannelLength, 256),
    maxSessionLength: positiveInteger('limits.maxSessionLength', limits.maxSessionLength, 256),
    maxMembersPerChannel: positiveInteger('limits.maxMembersPerChannel', limits.maxMembersPerChannel, Infinity),
    maxSessionsPerActor: positiveInteger('limits.maxSessionsPerActor', limits.maxSessionsPerActor, 32),
    cleanupBatchSize: positiveInteger('cleanupBatchSize', config.cleanupBatchSize, 5000),
  };
};
