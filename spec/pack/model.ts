/**
 * A naive model of what the presence pack must do, written from the spec and
 * not from `src/machine.ts`: a plain map of rows and a few lines per command.
 * It is the expected side of every pack check.
 *
 * @module
 */
import type { PresenceRow } from '../../src/row.js';

/** The caller a command runs as. */
export interface ModelCaller {
  /** `ctx.userId`. */
  actor: string;
  /** `ctx.tenant`. */
  scope: string;
}

/** The settings the certification configures the pack with. */
export interface ModelSettings {
  /** Heartbeat TTL in ms. */
  ttlMs: number;
  /** Typing TTL in ms. */
  typingTtlMs: number;
  /** Whether a caller may use a channel. */
  allowed: (channel: string, caller: ModelCaller) => boolean;
  /** Most live members of one scope and channel, if limited. */
  maxMembers?: number;
  /** Most live sessions of one actor in one scope and channel, if limited. */
  maxSessions?: number;
}

/** What a command should do: succeed (and leave these rows), or fail with this code. */
export type ModelOutcome =
  | {
      /** It succeeds. */
      ok: true;
      /** For a leave: how many rows it reports removed. */
      removed?: number;
    }
  | {
      /** It fails. */
      ok: false;
      /** With a `PresenceError` of this code. */
      code: string;
    };

const sameKey = (a: readonly string[], b: readonly string[]): boolean => a.every((part, index) => part === b[index]);

/** The expected rows of one pack, by id. */
export class PackModel {
  /** Every row the store should hold. */
  readonly rows = new Map<string, PresenceRow>();

  /**
   * Creates a model.
   * @param settings - TTLs and the channel gate
   */
  constructor(readonly settings: ModelSettings) {}

  /** The row of this caller, channel and session, if stored. */
  find(caller: ModelCaller, channel: string, session: string): PresenceRow | undefined {
    for (const row of this.rows.values()) {
      if (sameKey([row.scope, row.channel, row.actorId, row.sessionId], [caller.scope, channel, caller.actor, session])) return row;
    }
    return undefined;
  }

  /** Live rows of a scope and channel. */
  visible(scope: string, channel: string, now: number): PresenceRow[] {
    return [...this.rows.values()].filter((row) => row.scope === scope && row.channel === channel && row.expiresAt > now);
  }

  /** A heartbeat: renew or join; state replaced if given, kept while live, else `{}`. */
  heartbeat(caller: ModelCaller, channel: string, session: string, state: PresenceRow['state'] | undefined, now: number): ModelOutcome {
    if (!this.settings.allowed(channel, caller)) return { ok: false, code: 'CHANNEL_DENIED' };
    const old = this.find(caller, channel, session);
    // Joining (no live row of this session yet) a channel already at a limit is refused.
    if (old === undefined || old.expiresAt <= now) {
      const { maxMembers = Infinity, maxSessions = Infinity } = this.settings;
      const members = this.visible(caller.scope, channel, now);
      const sessions = members.filter((row) => row.actorId === caller.actor).length;
      if (members.length >= maxMembers || sessions >= maxSessions) return { ok: false, code: 'CHANNEL_FULL' };
    }
    const fresh = now + this.settings.ttlMs;
    if (old !== undefined && old.heartbeatAt > now) {
      // An older heartbeat (the clock stepped back) loses, but still cannot shorten the TTL.
      this.rows.set(old.id, { ...old, expiresAt: Math.max(old.expiresAt, fresh) });
      return { ok: true };
    }
    const keep = old !== undefined && old.expiresAt > now ? old.state : {};
    // The normative id: the JSON array of the identity.
    const id = JSON.stringify([caller.scope, channel, caller.actor, session]);
    this.rows.set(id, {
      id,
      scope: caller.scope,
      channel,
      actorId: caller.actor,
      sessionId: session,
      state: state ?? keep,
      heartbeatAt: now,
      expiresAt: Math.max(old?.expiresAt ?? fresh, fresh),
    });
    return { ok: true };
  }

  /** A patch: merge into the state of a live row; never touches the times. */
  patch(caller: ModelCaller, channel: string, session: string, patch: PresenceRow['state'], now: number): ModelOutcome {
    if (!this.settings.allowed(channel, caller)) return { ok: false, code: 'CHANNEL_DENIED' };
    const old = this.find(caller, channel, session);
    if (old === undefined || old.expiresAt <= now) return { ok: false, code: 'NOT_PRESENT' };
    this.rows.set(old.id, { ...old, state: { ...old.state, ...patch } });
    return { ok: true };
  }

  /** A leave: one session, or every live session of the caller in the channel. */
  leave(caller: ModelCaller, channel: string, session: string | undefined, now: number): ModelOutcome {
    if (!this.settings.allowed(channel, caller)) return { ok: false, code: 'CHANNEL_DENIED' };
    let removed = 0;
    for (const row of [...this.rows.values()]) {
      const mine = row.scope === caller.scope && row.channel === channel && row.actorId === caller.actor;
      const chosen = session === undefined ? row.expiresAt > now : row.sessionId === session;
      if (mine && chosen) {
        this.rows.delete(row.id);
        removed += 1;
      }
    }
    return { ok: true, removed };
  }

  /** Whether a row's state says its actor is typing at `now` (what `isCurrentlyTyping` must answer). */
  static typing(row: PresenceRow, now: number): boolean {
    const until = row.state['typingExpiresAt'];
    return row.state['typing'] === true && typeof until === 'number' && now < until;
  }

  /** Cleanup: every row with `expiresAt <= now` goes. */
  cleanup(now: number): void {
    for (const row of [...this.rows.values()]) if (row.expiresAt <= now) this.rows.delete(row.id);
  }
}
