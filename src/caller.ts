/**
 * Who is calling: the actor and scope come from ctx alone, never from args,
 * so no client input can name another actor or reach another tenant.
 *
 * @module
 */
import { describe } from './args.js';
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

/** Throws `CHANNEL_DENIED` unless `canAccessChannel` allows the caller in. */
export const assertChannelAccess = async <Ctx>(settings: PresenceSettings<Ctx>, channel: string, ctx: Ctx): Promise<void> => {
  if (settings.canAccessChannel === undefined) return;
  let allowed: unknown;
  try {
    allowed = await settings.canAccessChannel(channel, ctx);
  } catch (error) {
    if (error instanceof PresenceError) throw error;
    throw new PresenceError('CHANNEL_DENIED', `canAccessChannel threw for channel ${JSON.stringify(channel)}; a gate that fails denies.`, { cause: error });
  }
  if (allowed !== true) {
    throw new PresenceError('CHANNEL_DENIED', `canAccessChannel denied access to channel ${JSON.stringify(channel)} for this caller.`);
  }
};
