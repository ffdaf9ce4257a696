import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { storeInvariants } from '../spec/invariants.js';
import { packInvariants } from '../spec/pack/certify.js';

const bun = new URL('../node_modules/.bin/bun', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(bun, args, { encoding: 'utf8', timeout: 120_000 });

describe('under Bun', () => {
  it('the built package runs a real scenario: register, heartbeat, subscribe, typing, cleanup', () => {
    const { stdout, status } = run(['test/bun/smoke.ts']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      runtime: 'bun',
      initial: 0,
      diffs: [
        { added: ['alice'], changed: [], removed: [] },
        { added: [], changed: ['alice'], removed: [] },
        { added: [], changed: [], removed: ['alice'] },
      ],
      typing: true,
      after: 0,
    });
  });

  it('`bun test` runs the vitest binding unchanged: one passing test per store and pack invariant', () => {
    const { stderr, status } = run(['test', './test/bun/kit.bun.test.ts']);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/\(pass\) memory store under bun > STORE-LWW: /);
    expect(stderr).toMatch(/\(pass\) presence pack under bun > PACK-SCOPE: /);
    expect(stderr).toMatch(new RegExp(`\\b${storeInvariants.length + packInvariants.length} pass\\b`));
  });

  it('`bun test` fails a broken store under the invariant it breaks, with the replay seed and path', () => {
    const { stderr, status } = run(['test', './test/bun/broken.bun.test.ts']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/\(fail\) sweep-strict under bun > STORE-SWEEP: /);
    expect(stderr).toMatch(/\(pass\) sweep-strict under bun > STORE-LWW: /);
    expect(stderr).toMatch(/seed/);
  });
});
