/**
 * What a pack certification runs against, and the fixed setting it runs in:
 * the config every pack under test gets, the callers, channels and sessions
 * commands draw from, and the channel gate.
 *
 * @module
 */
import type { SyncPack } from '../../src/contract.js';
import type { PresencePackConfig } from '../../src/config.js';
import type { PresenceStore } from '../../src/store.js';
import { createPresenceHarness, type PresenceHarness } from '../harness.js';
import type { StoreSubject } from '../invariant.js';
import type { ModelCaller, ModelSettings } from './model.js';

/** Builds the pack under test from the certification's config; `createPresencePack` by default. */
export type PackFactory = (config: PresencePackConfig) => SyncPack;

/** A pack certification subject: the store it runs on and, optionally, another pack implementation. */
export interface PackSubject<Store extends PresenceStore = PresenceStore> extends StoreSubject<Store> {
  /** The pack under test. */
  createPack?: PackFactory;
}

/** Scopes commands run in. */
export const SCOPES = ['s1', 's2'] as const;
/** Channels; `vip` is gated, `c:1` has the separator 0.3 ids broke on. */
export const CHANNELS = ['c1', 'c:1', 'vip'] as const;
/** Actors; `a:b` also carries a separator. */
export const ACTORS = ['ann', 'bob', 'a:b'] as const;
/** Sessions; `undefined` means the client sent none. */
export const SESSIONS = [undefined, 'tab'] as const;
/** The gated channel and the one actor it admits. */
export const GATED = { channel: 'vip', actor: 'ann' } as const;
/** Where the clock starts: epoch-millisecond magnitude, past 2^32, so a pack or store that narrows times shows. */
export const START = 1_700_000_000_000;

/** The limits a run may configure: members of a channel, live sessions of one actor in it. */
export interface PackLimits {
  /** `limits.maxMembersPerChannel`. */
  readonly maxMembers?: number;
  /** `limits.maxSessionsPerActor`. */
  readonly maxSessions?: number;
}

/** The member limits some runs configure: small, so channels fill. */
export const MEMBER_LIMITS: readonly PackLimits[] = [{ maxMembers: 1 }, { maxMembers: 2 }];

/** The session limit some runs configure: an actor's second session in a channel is refused. */
export const SESSION_LIMITS: readonly PackLimits[] = [{ maxSessions: 1 }];

/** The channel gate every certified pack is configured with. */
export const allowed = (channel: string, caller: ModelCaller): boolean => channel !== GATED.channel || caller.actor === GATED.actor;

/** TTLs and gate, as the model sees them. */
export const MODEL_SETTINGS: ModelSettings = { ttlMs: 10_000, typingTtlMs: 5_000, allowed };

/** The ctx of a caller: `userId` and `tenant`. */
export const ctxOf = (caller: ModelCaller): Record<string, unknown> => ({ userId: caller.actor, tenant: caller.scope });

/** The config every pack under test gets (the harness adds `store` and `now`), with `limits` if given. */
export const packConfig = (prefix?: string, limits: PackLimits = {}): Omit<PresencePackConfig, 'store' | 'now'> => ({
  ...(prefix === undefined ? {} : { prefix }),
  ...(limits.maxMembers === undefined && limits.maxSessions === undefined
    ? {}
    : {
        limits: {
          ...(limits.maxMembers === undefined ? {} : { maxMembersPerChannel: limits.maxMembers }),
          ...(limits.maxSessions === undefined ? {} : { maxSessionsPerActor: limits.maxSessions }),
        },
      }),
  getActorId: (ctx) => ctx['userId'],
  scope: (ctx) => ctx['tenant'],
  canAccessChannel: (channel, ctx) => allowed(channel, { actor: String(ctx['userId']), scope: String(ctx['tenant']) }),
  heartbeatTtlSec: MODEL_SETTINGS.ttlMs / 1000,
  typingTtlSec: MODEL_SETTINGS.typingTtlMs / 1000,
});

/** The subject's pack (or the real one) with the certification's config on `store`, on a fresh reference engine. */
export const packHarness = (subject: PackSubject, store: PresenceStore): PresenceHarness =>
  createPresenceHarness({
    config: { ...packConfig(), store },
    start: START,
    ...(subject.createPack === undefined ? {} : { createPack: subject.createPack }),
  });
