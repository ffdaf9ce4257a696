/**
 * Who is calling: the actor and scope come from ctx alone, never from args,
 * so no client input can name another actor or reach another tenant.
 *
 * @module
 */
import { describe } from './args.js';
import { settleWithin } from './deadline.js';
import { PresenceError } from './errors.js';
import type { PresenceSettings } from './settings.js';

/** Ids may be strings, finite numbers or bigints (database keys); numbers and bigints become decimal strings. */
const asId = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
};

/**
 * Reads an id from ctx through the configured function: its throw and any
 * unusable answer become `code`. The message names only the answer's type,
 * never its text: building it must not call into a hostile value.
 */
const idFrom = (code: 'INVALID_SCOPE' | 'MISSING_ACTOR', read: () => unknown, what: string, needs: string): string => {
  let raw: unknown;
  try {
    raw = read();
  } catch (error) {
    throw new PresenceError(code, `${what} threw; ${needs}`, { cause: error });
  }
  const id = asId(raw);
  if (id === undefined || (code === 'MISSING_ACTOR' && id === '')) {
    throw new PresenceError(code, `${what} returned ${typeof raw === 'string' ? 'an empty string' : describe(raw)}; ${needs}`);
  }
  return id;
};

/** The caller's scope (`''` for an unscoped pack); throws `INVALID_SCOPE`. */
export const scopeOf = <Ctx>(settings: PresenceSettings<Ctx>, ctx: Ctx): string => {
  const { scope } = settings;
  if (scope === undefined) return '';
  return idFrom('INVALID_SCOPE', () => scope(ctx), 'scope(ctx)', 'it must return a string, number or bigint for every caller.');
};

/** The caller's actor id; throws `MISSING_ACTOR`. */
export const actorOf = <Ctx>(settings: PresenceSettings<Ctx>, ctx: Ctx): string =>
  idFrom(
    'MISSING_ACTOR',
    () => settings.getActorId(ctx),
    'getActorId(ctx)',
    'presence writes need an authenticated actor (a non-empty string, number or bigint).',
  );

/** Runs a check that may throw on a malformed ctx; a throw means "no". */
export const holds = (check: () => boolean): boolean => {
  try {
    return check();
  } catch {
    return false;
  }
};

/** The gate's answer: a synchronous one as is, a promise bounded by `accessTimeoutMs`. */
const gateAnswer = <Ctx>(settings: PresenceSettings<Ctx>, gate: NonNullable<PresenceSettings<Ctx>['canAccessChannel']>, channel: string, ctx: Ctx): unknown => {
  const answer: unknown = gate(channel, ctx);
  if (!isThenable(answer)) return answer;
  const { accessTimeoutMs } = settings;
  return settleWithin(
    answer,
    accessTimeoutMs,
    () => new PresenceError('CHANNEL_DENIED', `canAccessChannel did not answer within ${accessTimeoutMs} ms for channel ${JSON.stringify(channel)}; a gate that cannot answer denies (config.accessTimeoutMs).`),
    (error) => error,
  );
};

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** Throws `CHANNEL_DENIED` unless `canAccessChannel` allows the caller in, within `accessTimeoutMs`. */
export const assertChannelAccess = async <Ctx>(settings: PresenceSettings<Ctx>, channel: string, ctx: Ctx): Promise<void> => {
  const gate = settings.canAccessChannel;
  if (gate === undefined) return;
  let allowed: unknown;
  try {
    allowed = await gateAnswer(settings, gate, channel, ctx);
  } catch (error) {
    if (error instanceof PresenceError) throw error;
    throw new PresenceError('CHANNEL_DENIED', `canAccessChannel threw for channel ${JSON.stringify(channel)}; a gate that fails denies.`, { cause: error });
  }
  if (allowed !== true) {
    throw new PresenceError('CHANNEL_DENIED', `canAccessChannel denied access to channel ${JSON.stringify(channel)} for this caller.`);
  }
};
