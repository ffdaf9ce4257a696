/**
 * Prefix isolation: two packs with different prefixes on one engine share
 * nothing. Every name a pack registers carries its prefix, registering both
 * does not conflict, and no command sent to one changes what the other
 * stores or pushes.
 *
 * @module
 */
import fc from 'fast-check';
import type { SyncPack } from '../../src/contract.js';
import type { PresenceStore } from '../../src/store.js';
import { createPresencePack } from '../../src/pack.js';
import { createReferenceEngine } from '../engine.js';
import { sameRows, showRows } from '../equal.js';
import { createPresenceHarness, type PresenceHarness, type PresenceView } from '../harness.js';
import type { Invariant } from '../invariant.js';
import { runProperty } from '../run-property.js';
import type { PackCheck } from './model-based.js';
import { ACTORS, CHANNELS, SCOPES, START, ctxOf, packConfig, type PackFactory, type PackSubject } from './subject.js';

const PREFIXES = ['one_', 'two_'] as const;

/** Every name a pack registers. */
const registeredNames = (pack: SyncPack): string[] => [
  ...pack.ownsTables,
  ...Object.keys(pack.schemas ?? {}),
  ...Object.keys(pack.permissions ?? {}),
  ...Object.keys(pack.readers ?? {}),
  ...Object.keys(pack.writers ?? {}),
  ...(pack.collections ?? []).map((collection) => collection.name),
  ...(pack.mutations ?? []).map((mutation) => mutation.name),
  ...(pack.schedules ?? []).map((schedule) => schedule.name),
];

/** One send to one of the two packs. */
interface PrefixCall {
  target: 0 | 1;
  actor: string;
  scope: string;
  channel: string;
  mutation: 'heartbeat' | 'leave' | 'cursor';
}

const call: fc.Arbitrary<PrefixCall> = fc.record({
  target: fc.constantFrom(0 as const, 1 as const),
  actor: fc.constantFrom(...ACTORS),
  scope: fc.constantFrom(...SCOPES),
  channel: fc.constantFrom('c1', 'c:1'),
  mutation: fc.constantFrom('heartbeat' as const, 'heartbeat' as const, 'leave' as const, 'cursor' as const),
});

const sendText = (sent: PrefixCall): string => `${PREFIXES[sent.target]}presence:${sent.mutation} as ${sent.actor}@${sent.scope} in ${sent.channel}`;

/** Runs the calls against two prefixed packs on one engine; returns what broke, if anything. */
const runPair = async (createPack: PackFactory, stores: PresenceStore[], calls: PrefixCall[]): Promise<string | undefined> => {
  const engine = createReferenceEngine({ now: () => START, sleep: async () => {} });
  const sides: { harness: PresenceHarness; views: PresenceView[] }[] = [];
  for (const [index, prefix] of PREFIXES.entries()) {
    const probe = createPack({ ...packConfig(prefix), store: stores[index]! });
    const unprefixed = registeredNames(probe).find((name) => !name.startsWith(prefix));
    if (unprefixed !== undefined) return `the pack with prefix "${prefix}" registers "${unprefixed}"`;
    const harness = createPresenceHarness({ engine, start: START, createPack, config: { ...packConfig(prefix), store: stores[index]! } });
    const views: PresenceView[] = [];
    for (const scope of SCOPES) for (const channel of CHANNELS) views.push(await harness.watch(ctxOf({ actor: 'ann', scope }), channel));
    sides.push({ harness, views });
  }
  for (const sent of calls) {
    const other = sides[1 - sent.target]!;
    const before = await other.harness.store.rows();
    const pushed = other.views.reduce((count, view) => count + view.diffs.length, 0);
    const { harness } = sides[sent.target]!;
    const args = sent.mutation === 'cursor' ? { channel: sent.channel, cursor: 1 } : { channel: sent.channel };
    await harness.engine.runMutation(harness.names[sent.mutation], args, ctxOf(sent)).catch(() => undefined);
    const after = await other.harness.store.rows();
    if (!sameRows(before, after)) return `${sendText(sent)} changed the other pack's rows to ${showRows(after)}`;
    if (other.views.reduce((count, view) => count + view.diffs.length, 0) !== pushed) return `${sendText(sent)} pushed a diff to the other pack's subscribers`;
  }
  return undefined;
};

/** The prefix-isolation check. */
export const prefixCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  weight: 0.2,
  run: (subject: PackSubject, settings) =>
    runProperty(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
        const stores = [await subject.create(), await subject.create()];
        try {
          const problem = await runPair(subject.createPack ?? createPresencePack, stores, calls);
          if (problem !== undefined) throw new Error(problem);
        } finally {
          for (const store of stores) await subject.destroy?.(store);
        }
      }),
      settings,
      ([calls]) => calls.map(sendText).join('; '),
    ),
});
