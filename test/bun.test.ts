import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bun = new URL('../node_modules/.bin/bun', import.meta.url).pathname;

describe('under Bun', () => {
  it('the built package runs a real scenario: register, heartbeat, subscribe, typing, cleanup', () => {
    const out = execFileSync(bun, ['test/bun/smoke.ts'], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
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
});
