/**
 * The pack on several engine nodes sharing the store under certification,
 * joined by a cluster bus that loses, delays and reorders messages under
 * fast-check's control. Heartbeats, patches, leaves, subscriptions and
 * cleanups run on random nodes while the clock moves; every published batch
 * waits on the bus, one delivery per peer, until a step delivers or drops
 * it, oldest or not. After the sequence the rest is delivered or dropped,
 * the clock may move on, and every node runs its cleanup once: from then on
 * every view on every node must hold exactly the model's live rows of its
 * scope and channel (docs/SPEC.md, "Convergence across nodes").
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { createReferenceEngine, type ReferenceEngine } from '../engine.js';
import type { ClusterBus, ClusterMessage } from '../engine/cluster.js';
import { sameRows } from '../equal.js';
import { createPresenceHarness, type PresenceHarness, type PresenceView } from '../harness.js';
import type { Invariant } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { withStore } from '../store/subject.js';
import { PackModel, type ModelCaller, type ModelOutcome } from './model.js';
import type { PackCheck } from './model-based.js';
import { capture, describeError, errorCode } from './step.js';
import { ACTORS, MODEL_SETTINGS, SCOPES, START, ctxOf, packConfig, type PackSubject } from './subject.js';

/** Ungated channels: every caller may use them, so every step does something. */
const CLUSTER_CHANNELS = ['c1', 'c:1'] as const;

/** Where a step runs and as whom. */
interface Placed {
  /** The node, modulo the node count. */
  readonly node: number;
  /** The caller. */
  readonly caller: ModelCaller;
  /** The channel. */
  readonly channel: string;
}

/** One step of a cluster run. */
type ClusterStep =
  | (Placed & { readonly kind: 'heartbeat'; readonly session: string | undefined; readonly state: PresenceRow['state'] | undefined })
  | (Placed & { readonly kind: 'cursor'; readonly session: string | undefined; readonly x: number })
  | (Placed & { readonly kind: 'leave'; readonly session: string | undefined })
  | (Placed & { readonly kind: 'subscribe' })
  | { readonly kind: 'cleanup'; readonly node: number }
  | { readonly kind: 'clock'; readonly ms: number }
  | { readonly kind: 'bus'; readonly pick: number; readonly drop: boolean }
  | { readonly kind: 'flush'; readonly node: number }
  | { readonly kind: 'lose'; readonly node: number };

/** How a run ends: the clock move before the final cleanups, their order, and what happens to each message still on the bus. */
interface Finale {
  /** Milliseconds the clock moves before the final cleanups. */
  readonly advance: number;
  /** The node whose cleanup runs first; the others follow in order. */
  readonly first: number;
  /** Cycled over the remaining deliveries, then over the final cleanups' own: `true` drops. */
  readonly drops: readonly boolean[];
}

const caller = fc.record({ actor: fc.constantFrom(...ACTORS), scope: fc.constantFrom(...SCOPES) });
const placed = { node: fc.nat(2), caller, channel: fc.constantFrom(...CLUSTER_CHANNELS) };
const session = fc.constantFrom(undefined, 'tab');

/** One step anywhere: every kind of command and bus event, at random. */
const step: fc.Arbitrary<ClusterStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), ...placed, session, state: fc.constantFrom(undefined, { v: 1 }, { v: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cursor' as const), ...placed, session, x: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), ...placed, session }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), ...placed }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cleanup' as const), node: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), ms: fc.integer({ min: -2_000, max: MODEL_SETTINGS.ttlMs + 2_000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('bus' as const), pick: fc.nat(7), drop: fc.boolean() }) },
);

/** How an aimed sequence changes the row a subscriber on another node holds: a new version, a removal, or a rejoin, a third each. */
const change = fc.oneof(
  fc.constantFrom('renew' as const, 'state' as const, 'cursor' as const),
  fc.constant('leave' as const),
  fc.constant('rejoin' as const),
);

/**
 * A sequence aimed at one row: its owner joins on one node, a subscriber of
 * its channel on the next node (sometimes beside a subscription elsewhere)
 * hears it, the clock moves by 0 to 500 ms, the owner changes the row's
 * version (a renewal, a new state, a cursor patch) or leaves, or leaves and
 * rejoins in the same millisecond, with the leave heard by the subscriber, and the bus loses exactly that message to the subscriber, who
 * may then subscribe again. Random steps rarely build it: the loss must land
 * on the one version-changing message of a row some subscriber on the
 * losing node holds, among every other delivery pending (about one run in
 * 50, too few for 120 runs at every seed). Only the final cleanups heal it.
 */
const aimed: fc.Arbitrary<ClusterStep[]> = fc
  .record({
    node: fc.nat(2),
    owner: caller,
    watcher: fc.constantFrom(...ACTORS),
    channel: fc.constantFrom(...CLUSTER_CHANNELS),
    session,
    elsewhere: fc.option(fc.record({ caller, channel: fc.constantFrom(...CLUSTER_CHANNELS) }), { nil: undefined }),
    ms: fc.constantFrom(0, 1, 500),
    change,
    again: fc.boolean(),
  })
  .map(({ node, owner, watcher, channel, session: tab, elsewhere, ms, change, again }): ClusterStep[] => {
    const at = { node, caller: owner, channel, session: tab };
    const subscriber = { node: node + 1, caller: { actor: watcher, scope: owner.scope }, channel };
    const changed: ClusterStep[] =
      change === 'renew' ? [{ kind: 'heartbeat', ...at, state: undefined }]
      : change === 'state' ? [{ kind: 'heartbeat', ...at, state: { v: 2 } }]
      : change === 'cursor' ? [{ kind: 'cursor', ...at, x: 1 }]
      : change === 'leave' ? [{ kind: 'leave', ...at }]
      : [{ kind: 'leave', ...at }, { kind: 'flush', node: node + 1 }, { kind: 'heartbeat', ...at, state: { v: 1 } }];
    return [
      { kind: 'heartbeat', ...at, state: { v: 1 } },
      { kind: 'subscribe', ...subscriber },
      ...(elsewhere === undefined ? [] : [{ kind: 'subscribe' as const, node: node + 1, ...elsewhere }]),
      { kind: 'flush', node: node + 1 },
      // A rejoin keeps the clock: in the same millisecond its version equals the one the subscriber heard leave.
      ...(change === 'rejoin' ? [] : [{ kind: 'clock' as const, ms }]),
      ...changed,
      { kind: 'lose', node: node + 1 },
      ...(again ? [{ kind: 'subscribe' as const, ...subscriber }] : []),
    ];
  });

/** Random steps with an aimed sequence now and then (one element in 9). */
const steps: fc.Arbitrary<ClusterStep[]> = fc
  .array(fc.oneof({ weight: 8, arbitrary: step.map((one) => [one]) }, { weight: 1, arbitrary: aimed }), { minLength: 8, maxLength: 32 })
  .map((groups) => groups.flat());

const finale: fc.Arbitrary<Finale> = fc.record({
  advance: fc.constantFrom(0, 1, MODEL_SETTINGS.ttlMs / 2, MODEL_SETTINGS.ttlMs),
  first: fc.nat(2),
  drops: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
});

/** `ann@s1`. */
const who = (c: ModelCaller): string => `${c.actor}@${c.scope}`;
/** A row as a trace names it: `ann@s1/c1` (plus `#session`). */
const rowName = (row: PresenceRow): string => `${row.actorId}@${row.scope}/${row.channel}${row.sessionId === '' ? '' : `#${row.sessionId}`}`;
const sessionArg = (value: string | undefined): string => (value === undefined ? '' : `, session=${value}`);

/** A step as a call. */
const stepText = (nodes: number) => (s: ClusterStep): string => {
  switch (s.kind) {
    case 'clock':
      return `clock ${s.ms >= 0 ? '+' : ''}${s.ms} ms`;
    case 'bus':
      return `bus: ${s.drop ? 'drop' : 'deliver'} pending[${s.pick}]`;
    case 'flush':
      return `bus: deliver everything pending to n${s.node % nodes}`;
    case 'lose':
      return `bus: drop the newest pending to n${s.node % nodes}`;
    case 'cleanup':
      return `n${s.node % nodes}: cleanup`;
    case 'subscribe':
      return `n${s.node % nodes}: ${who(s.caller)} subscribe(${s.channel})`;
    case 'heartbeat':
      return `n${s.node % nodes}: ${who(s.caller)} heartbeat(${s.channel}${sessionArg(s.session)}${s.state === undefined ? '' : `, state=${JSON.stringify(s.state)}`})`;
    case 'cursor':
      return `n${s.node % nodes}: ${who(s.caller)} cursor(${s.channel}, {x:${s.x}}${sessionArg(s.session)})`;
    case 'leave':
      return `n${s.node % nodes}: ${who(s.caller)} leave(${s.channel}${sessionArg(s.session)})`;
  }
};

/** A run as its calls: the node count, the steps, then the finale. */
const runText = ([nodes, steps, end]: [number, ClusterStep[], Finale]): string =>
  [
    `${nodes} nodes`,
    ...steps.map(stepText(nodes)),
    `finally: the rest of the bus ${end.drops.every(Boolean) ? 'dropped' : end.drops.some(Boolean) ? `delivered or dropped by [${end.drops.map((d) => (d ? 'drop' : 'deliver')).join(', ')}] in turn` : 'delivered'}; clock +${end.advance} ms; cleanup on every node from n${end.first % nodes}`,
  ].join('; ');

/** One delivery waiting on the bus. */
interface Delivery {
  readonly to: number;
  readonly message: ClusterMessage;
}

/**
 * The bus under fast-check's control: nothing is delivered until a step says
 * so; each publish waits as one delivery per other listening node.
 */
class ChaosBus {
  readonly pending: Delivery[] = [];
  private readonly listeners = new Map<number, (message: ClusterMessage) => unknown>();

  /** The bus as node `index` sees it. */
  handle(index: number): ClusterBus {
    return {
      publish: (message) => {
        for (const to of this.listeners.keys()) if (to !== index) this.pending.push({ to, message });
      },
      subscribe: (onMessage) => {
        this.listeners.set(index, onMessage);
        return () => void this.listeners.delete(index);
      },
    };
  }

  /** Takes `pending[pick % length]` off the bus; delivers it unless `drop`, waiting until the node has applied it. */
  async take(pick: number, drop: boolean): Promise<Delivery | undefined> {
    if (this.pending.length === 0) return undefined;
    const [delivery] = this.pending.splice(pick % this.pending.length, 1) as [Delivery];
    if (!drop) await this.listeners.get(delivery.to)?.(delivery.message);
    return delivery;
  }

  /** Delivers every pending delivery to node `to`, oldest first; returns them. */
  async flush(to: number): Promise<Delivery[]> {
    const taken: Delivery[] = [];
    for (let at = this.pending.findIndex((d) => d.to === to); at >= 0; at = this.pending.findIndex((d) => d.to === to)) {
      taken.push((await this.take(at, false))!);
    }
    return taken;
  }

  /** Drops the newest delivery pending to node `to`, if any. */
  lose(to: number): Delivery | undefined {
    for (let at = this.pending.length - 1; at >= 0; at--) if (this.pending[at]!.to === to) return this.pending.splice(at, 1)[0];
    return undefined;
  }
}

/** A delivery as the trace prints it. */
const deliveryText = ({ to, message }: Delivery, dropped: boolean): string =>
  `${message.origin}→n${to} ${dropped ? 'dropped' : 'delivered'} [${message.changes.map(({ change }) => `${change.op} ${rowName(change.row as PresenceRow)}`).join(', ')}]`;

/** One subscriber: where it runs and what it watches. */
interface Subscriber {
  readonly node: number;
  readonly caller: ModelCaller;
  readonly channel: string;
  readonly view: PresenceView;
}

/** The nodes of one run: a harness per node (its own pack instance and clock, moved in step), one store, one bus. */
const startCluster = async (subject: PackSubject, store: PresenceStore, count: number) => {
  const bus = new ChaosBus();
  const harnesses: PresenceHarness[] = [];
  for (let index = 0; index < count; index++) {
    // The engine reads the same time as the pack: every node's clock moves together.
    const engine: ReferenceEngine = createReferenceEngine({ instanceId: `n${index}`, now: () => harnesses[0]!.clock.now(), sleep: async () => {} });
    harnesses.push(
      createPresenceHarness({
        config: { ...packConfig(), store },
        start: START,
        engine,
        ...(subject.createPack === undefined ? {} : { createPack: subject.createPack }),
      }),
    );
    await engine.connectCluster(bus.handle(index));
  }
  return { bus, harnesses };
};

/** What a mutation step should do, by the model. */
const expectedOf = (model: PackModel, s: Extract<ClusterStep, { caller: ModelCaller }>, now: number): ModelOutcome | undefined => {
  const sessionId = 'session' in s ? (s.session ?? '') : '';
  if (s.kind === 'heartbeat') return model.heartbeat(s.caller, s.channel, sessionId, s.state, now);
  if (s.kind === 'cursor') return model.patch(s.caller, s.channel, sessionId, { cursor: { x: s.x } }, now);
  if (s.kind === 'leave') return model.leave(s.caller, s.channel, s.session, now);
  return undefined;
};

/** Runs one cluster scenario; returns what went wrong, with the trace of what happened. */
const runCluster = async (subject: PackSubject, store: PresenceStore, count: number, steps: readonly ClusterStep[], end: Finale): Promise<string | undefined> => {
  const { bus, harnesses } = await startCluster(subject, store, count);
  const model = new PackModel(MODEL_SETTINGS);
  const subscribers: Subscriber[] = [];
  const trace: string[] = [];
  const now = () => harnesses[0]!.clock.now();
  const text = stepText(count);

  for (const s of steps) {
    if (s.kind === 'clock') {
      for (const harness of harnesses) harness.clock.advance(s.ms);
      trace.push(text(s));
      continue;
    }
    if (s.kind === 'bus') {
      const delivery = await bus.take(s.pick, s.drop);
      trace.push(delivery === undefined ? `${text(s)} (nothing pending)` : deliveryText(delivery, s.drop));
      continue;
    }
    if (s.kind === 'flush') {
      const delivered = await bus.flush(s.node % count);
      trace.push(delivered.length === 0 ? `${text(s)} (nothing pending)` : delivered.map((d) => deliveryText(d, false)).join('; '));
      continue;
    }
    if (s.kind === 'lose') {
      const lost = bus.lose(s.node % count);
      trace.push(lost === undefined ? `${text(s)} (nothing pending)` : deliveryText(lost, true));
      continue;
    }
    const node = s.node % count;
    const harness = harnesses[node]!;
    if (s.kind === 'cleanup') {
      model.cleanup(now());
      const outcome = await capture(() => harness.cleanup());
      trace.push(text(s));
      if (!outcome.ok) return `${text(s)} failed with ${describeError(outcome.error)}; so far: ${trace.join('; ')}`;
      continue;
    }
    if (s.kind === 'subscribe') {
      subscribers.push({ node, caller: s.caller, channel: s.channel, view: await harness.watch(ctxOf(s.caller), s.channel) });
      trace.push(text(s));
      continue;
    }
    const expected = expectedOf(model, s, now())!;
    const client = harness.as(ctxOf(s.caller));
    const outcome = await capture(() =>
      s.kind === 'heartbeat'
        ? client.heartbeat(s.channel, { ...(s.session === undefined ? {} : { session: s.session }), ...(s.state === undefined ? {} : { state: s.state }) })
        : s.kind === 'cursor'
          ? client.cursor(s.channel, { x: s.x }, s.session)
          : client.leave(s.channel, s.session),
    );
    trace.push(text(s));
    const code = outcome.ok ? undefined : errorCode(outcome.error);
    if (expected.ok !== outcome.ok || (!expected.ok && code !== expected.code)) {
      const wanted = expected.ok ? 'succeed' : `fail with ${expected.code}`;
      return `${text(s)} should ${wanted}, but ${outcome.ok ? 'succeeded' : `failed with ${describeError(outcome.error)}`}; so far: ${trace.join('; ')}`;
    }
  }

  // The finale: settle the bus, move the clock, one cleanup per node.
  let turn = 0;
  const dropNext = () => end.drops[turn++ % end.drops.length]!;
  const drain = async () => {
    while (bus.pending.length > 0) {
      const drop = dropNext();
      trace.push(deliveryText((await bus.take(0, drop))!, drop));
    }
  };
  await drain();
  for (const harness of harnesses) harness.clock.advance(end.advance);
  trace.push(`clock +${end.advance} ms`);
  model.cleanup(now());
  for (let offset = 0; offset < count; offset++) {
    const node = (end.first + offset) % count;
    const outcome = await capture(() => harnesses[node]!.cleanup());
    trace.push(`n${node}: cleanup`);
    if (!outcome.ok) return `the final cleanup on n${node} failed with ${describeError(outcome.error)}; trace: ${trace.join('; ')}`;
    await drain();
  }

  for (const { node, caller: c, channel, view } of subscribers) {
    const held = view.rows();
    const expected = model.visible(c.scope, channel, now());
    if (!sameRows(held, expected)) {
      const names = (rows: readonly PresenceRow[]) => `[${rows.map(rowName).sort().join(', ')}]`;
      const differs = held.length === expected.length && names(held) === names(expected) ? ' (same members, other versions)' : '';
      return `on n${node} the subscriber ${who(c)} of ${channel} holds ${names(held)}, expected the live rows ${names(expected)}${differs} one cleanup per node after the last command; trace: ${trace.join('; ')}`;
    }
  }
  return undefined;
};

/** The cluster convergence check. */
export const clusterCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  weight: 0.3,
  run: (subject: PackSubject, settings) =>
    runProperty(
      // At least 8 steps: at fast-check's default size most arrays would hold
      // a handful, too few for a join, a leave and a rejoin around a lost message.
      fc.asyncProperty(fc.constantFrom(2, 3), steps, finale, (count, run, end) =>
        withStore(subject, async (store) => {
          const problem = await runCluster(subject, store, count, run, end);
          if (problem !== undefined) throw new Error(problem);
        }),
      ),
      settings,
      runText,
    ),
});
