/**
 * Who is calling: the actor and scope come from ctx alone, never from args,
 * so no client input can name another actor or reach another tenant.
 *
 * @module
 */
import { PresenceError } from './errors.js';
import type { PresenceSettings } from './settings.js';

/** Ids may be strings or finite numbers (database keys); numbers become strings. */
const asId = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};

/** The caller's scope (`''` for an unscoped pack); throws `INVALID_SCOPE`. */
export const scopeOf = <Ctx>(settings: PresenceSettings<Ctx>, ctx: Ctx): string => {
  if (settings.scope === undefined) return '';
  const raw = settings.scope(ctx);
  const scope = asId(raw);
  if (scope === undefined) {
    throw new PresenceError('INVALID_SCOPE', `scope(ctx) returned ${String(raw)}; it must return a string or number for every caller.`);
  }
  return scope;
};

/** The caller's actor id; throws `MISSING_ACTOR`. */
export const actorOf = <Ctx>(settings: PresenceSettings<Ctx>, ctx: Ctx): string => {
  const raw = settings.getActorId(ctx);
  const actor = asId(raw);
  if (actor === undefined || actor === '') {
    throw new PresenceError(
      'MISSING_ACTOR',
      `getActorId(ctx) returned ${JSON.stringify(raw) ?? String(raw)}; presence writes need an authenticated actor (a non-empty string or number).`,
    );
  }
  return actor;
};

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
  if ((await settings.canAccessChannel(channel, ctx)) !== true) {
    throw new PresenceError('CHANNEL_DENIED', `canAccessChannel denied access to channel ${JSON.stringify(channel)} for this caller.`);
  }
};
