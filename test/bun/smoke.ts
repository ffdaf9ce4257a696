// Runs under Bun against the BUILT package: register, heartbeat, subscribe, cleanup.
// Prints one JSON line that test/bun.test.ts checks.
import { createPresencePack, isCurrentlyTyping } from '../../dist/src/index.js';
import { createReferenceEngine } from '../../dist/spec/engine.js';

let now = 1_000_000;
const engine = createReferenceEngine({ now: () => now });
engine.registerPack(createPresencePack({ now: () => now, heartbeatTtlSec: 10, scope: (ctx) => ctx['tenant'] }));

const diffs: unknown[] = [];
const alice = { userId: 'alice', tenant: 't1' };
const bob = { userId: 'bob', tenant: 't1' };
const sub = await engine.subscribe({ collection: 'presence', params: { channel: 'doc' }, ctx: bob, onDiff: (diff) => diffs.push(diff) });
await engine.runMutation('presence:heartbeat', { channel: 'doc', state: { name: 'Alice' } }, alice);
const typing = await engine.runMutation<{ state: Record<string, unknown> }>('presence:typing', { channel: 'doc', typing: true }, alice);
now += 10_000;
await engine.runSchedule('presence:cleanup');
const after = await engine.hydrate('presence', { channel: 'doc' }, bob);
sub.unsubscribe();

console.log(
  JSON.stringify({
    runtime: typeof Bun === 'undefined' ? 'node' : 'bun',
    initial: sub.initial.length,
    diffs: diffs.map((diff) => {
      const { added, changed, removed } = diff as Record<string, { actorId: string }[]>;
      return { added: added!.map((r) => r.actorId), changed: changed!.map((r) => r.actorId), removed: removed!.map((r) => r.actorId) };
    }),
    typing: isCurrentlyTyping(typing, now - 10_000),
    after: after.length,
  }),
);
