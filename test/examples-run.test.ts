// The files in examples/ are real: the quick start runs as a user would run
// it (npx tsx), and the cleanup timer fires the pack's schedule on the
// reference engine under vitest's fake timers.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCleanupEvery } from '../examples/cleanup-interval.js';
import { createPresenceHarness } from '../spec/harness.js';

const root = new URL('..', import.meta.url).pathname;

const runExample = (file: string) =>
  new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, file)], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)),
    );
  });

describe('examples/quick-start.ts', () => {
  it('runs, and shows the hydrate, the diff shape, a cursor patch, expiry by cleanup and the channel gate', async () => {
    const lines = (await runExample('examples/quick-start.ts')).trim().split('\n');
    expect(lines[0]).toBe('bob joins doc:42 and sees 0 members');
    expect(lines[1]).toMatch(/^diff v1: \{/);
    const first = JSON.parse(lines[1]!.replace(/^diff v1: /, '')) as Record<string, unknown>;
    // The engine's diff carries no version of its own: that is onDiff's second argument.
    expect(Object.keys(first).sort()).toEqual(['added', 'changed', 'removed']);
    expect(first).toMatchObject({
      added: [{ scope: 'acme', channel: 'doc:42', actorId: 'ada', sessionId: 'tab-1', state: { name: 'Ada' }, expiresAt: Date.UTC(2026, 0, 1) + 30_000 }],
      changed: [],
      removed: [],
    });
    expect(lines[2]).toBe('diff v2: added [], changed ["ada/tab-1 {\\"name\\":\\"Ada\\",\\"cursor\\":{\\"x\\":10,\\"y\\":20}}"], removed []');
    expect(lines[3]).toBe('diff v3: added [], changed [], removed ["ada/tab-1 {\\"name\\":\\"Ada\\",\\"cursor\\":{\\"x\\":10,\\"y\\":20}}"]');
    expect(lines[4]).toBe('bob on doc:secret: CHANNEL_DENIED');
    expect(lines).toHaveLength(5);
  });

  it('is what the README shows, code and output', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const block = (marker: string) => new RegExp(`<!-- ${marker} -->\n${'`'.repeat(3)}\\w*\n([\\s\\S]*?)${'`'.repeat(3)}`).exec(readme)?.[1];
    const source = await readFile(join(root, 'examples/quick-start.ts'), 'utf8');
    expect(block('quick-start')).toBe(source.slice(source.indexOf(' */\n') + 4));
    expect(block('quick-start-output')).toBe(await runExample('examples/quick-start.ts'));
  });
});

describe('examples/cleanup-interval.ts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires the cleanup schedule every period, so an expired row leaves the views, until stopped', async () => {
    const harness = createPresenceHarness();
    const ann = harness.as({ userId: 'ann' });
    const view = await harness.watch({ userId: 'bob' }, 'c1');
    await ann.heartbeat('c1');
    const runs = vi.spyOn(harness.engine, 'runSchedule');
    const stop = runCleanupEvery(harness.engine, { schedule: harness.names.cleanup, everyMs: 15_000 });
    await vi.advanceTimersByTimeAsync(14_999);
    expect(runs).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveBeenCalledTimes(1);
    expect(runs).toHaveBeenCalledWith(harness.names.cleanup);
    expect(view.rows().map((row) => row.actorId)).toEqual(['ann']);
    harness.clock.advance(30_000); // past the TTL
    await vi.advanceTimersByTimeAsync(15_000);
    expect(runs).toHaveBeenCalledTimes(2);
    expect(view.rows()).toEqual([]);
    expect(await harness.store.rows()).toEqual([]);
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('skips a tick while the previous run is still going, and reports a failed run and retries on the next', async () => {
    const pending: (() => void)[] = [];
    const failures: unknown[] = [];
    let calls = 0;
    const engine = {
      runSchedule: () => {
        calls += 1;
        if (calls === 2) return Promise.reject(new Error('store down'));
        return new Promise<void>((resolve) => pending.push(resolve));
      },
    };
    const stop = runCleanupEvery(engine, { schedule: 'presence:cleanup', everyMs: 1_000, onError: (error) => failures.push(error) });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls).toBe(1); // the first run has not finished: ticks 2 and 3 are skipped
    pending.shift()!();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(failures).toEqual([new Error('store down')]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);
    stop();
  });
});
