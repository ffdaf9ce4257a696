/** presence-certify, driven through runCertifyCli with captured streams and an injected module loader. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CertificationReport } from '../spec/certify.js';
import { runCertifyCli, type CliIo } from '../spec/cli.js';
import { storeInvariants } from '../spec/invariants.js';
import { PACK } from '../spec/pack/ids.js';
import { STORE } from '../spec/store/ids.js';
import { createSimpleStore } from './stores/simple-store.js';
import { ignoresLww } from './zoo/ignores-lww.js';

/** Runs the command against modules served from `modules` (by file name), capturing its output. */
const cli = async (argv: readonly string[], modules: Record<string, unknown> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    cwd: '/project',
    load: async (url) => {
      const name = Object.keys(modules).find((file) => url === `file:///project/${file}`);
      if (name === undefined) throw new Error(`no module at ${url}`);
      return modules[name];
    },
  };
  const code = await runCertifyCli(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
};

const root = new URL('..', import.meta.url).pathname;

/** Runs node with `args` in `cwd`; resolves with its stdout and exit code. */
const runNode = (args: readonly string[], cwd: string) =>
  new Promise<{ stdout: string; code: number | null }>((resolvePromise, reject) => {
    execFile(process.execPath, [...args], { cwd, timeout: 60_000 }, (error, stdout) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolvePromise({ stdout, code: error === null ? 0 : (error.code as number) });
    });
  });

const clean = { 'clean.js': { default: createSimpleStore } };
const broken = { 'broken.js': { default: ignoresLww.create } };

describe('presence-certify', () => {
  it('names the store, lists every invariant once with its runs and time, and exits 0 for a clean store', async () => {
    const { code, stdout, stderr } = await cli(['./clean.js', '--runs', '3', '--seed', '9'], clean);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Certifying ./clean.js');
    expect(stdout).toMatch(/certification PASSED for \.\/clean\.js: 19\/19 invariants held \(seed 9, numRuns 3/);
    expect(stdout).toMatch(/^id\s+level\s+status\s+runs\s+ms$/m);
    for (const invariant of storeInvariants) {
      expect(stdout).toMatch(new RegExp(`^${invariant.id}\\s+MUST\\s+PASSED\\s+\\d+\\s+\\d+$`, 'm'));
      expect(stdout.split(invariant.id).length - 1, `${invariant.id} is listed once`).toBe(1);
    }
    expect(stdout).toMatch(/^runs: numRuns times the invariant's weight/m);
    expect(stdout).toMatch(/^level: MUST, a failure fails certification \(exit 1\); SHOULD, a failure is reported/m);
    expect(stderr).toBe('');
  });

  it('lists the rows in the table as each invariant finishes, before the verdict', async () => {
    const chunks: string[] = [];
    let finished = 0;
    await runCertifyCli(['./clean.js', '--runs', '2', '--only', `${STORE.rows},${STORE.lww}`], {
      stdout: (text) => chunks.push(text),
      stderr: () => undefined,
      cwd: '/project',
      load: async () => ({
        default: () => {
          finished = chunks.length;
          return createSimpleStore();
        },
      }),
    });
    // While STORE-LWW (the second) ran, the STORE-ROWS row had already been written.
    expect(chunks.slice(0, finished).join('')).toMatch(/^STORE-ROWS\s+MUST\s+PASSED/m);
    expect(chunks.slice(0, finished).join('')).not.toContain('certification');
  });

  it('names the store by the module\'s exported name', async () => {
    const { stdout } = await cli(['./clean.js', '--runs', '2', '--only', STORE.rows], { 'clean.js': { default: createSimpleStore, name: 'my simple store' } });
    expect(stdout.split('\n')[0]).toBe('Certifying my simple store (./clean.js)');
    expect(stdout).toContain('certification PASSED for my simple store (./clean.js): 1/1');
  });

  it('takes the factory, destroy and name of a CommonJS module from its module.exports', async () => {
    const destroy = vi.fn();
    const { code, stdout } = await cli(['./clean.cjs', '--runs', '2', '--only', STORE.rows], { 'clean.cjs': { default: { default: createSimpleStore, destroy, name: 'cjs store' } } });
    expect(code).toBe(0);
    expect(stdout).toContain('certification PASSED for cjs store (./clean.cjs)');
    expect(destroy).toHaveBeenCalled();
  });

  it('certifies the pack when --only names a PACK-* id, without --pack', async () => {
    const { code, stdout } = await cli(['./clean.js', '--runs', '5', '--only', PACK.ttl], clean);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PACK-TTL\s+MUST\s+PASSED\s+\d+/m);
    expect(stdout).toContain('1/1 invariants held');
  });

  it('says exactly what to run when a .ts module cannot be loaded on this Node', async () => {
    let stderr = '';
    const code = await runCertifyCli(['./store.ts'], { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: '/project', enableTypeScript: async () => false });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^presence-certify: \.\/store\.ts is TypeScript and Node v[\d.]+ cannot load it as is\. Either install tsx \(npm install --save-dev tsx\) and run the same command again/);
    expect(stderr).toContain('node --experimental-strip-types node_modules/@absolutejs/sync-pack-presence/dist/spec/cli-main.js ./store.ts');
  });

  it('loads a .ts store module through tsx when tsx is installed (the built command, in a child process)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'presence-certify-ts-'));
    try {
      await writeFile(join(directory, 'store.ts'), `import { createMemoryPresenceStore } from ${JSON.stringify(join(root, 'dist/src/index.js'))};\nconst create = (): ReturnType<typeof createMemoryPresenceStore> => createMemoryPresenceStore();\nexport const name: string = 'a typed store';\nexport default create;\n`);
      const { stdout, code } = await runNode([join(root, 'dist/spec/cli-main.js'), 'store.ts', '--runs', '2', '--only', STORE.rows], directory);
      expect(stdout).toContain('certification PASSED for a typed store (store.ts): 1/1');
      expect(code).toBe(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('exits 1 on a MUST failure, printing the counterexample and a replay command', async () => {
    const { code, stdout } = await cli(['./broken.js', '--only', STORE.lww, '--seed', '4', '--runs', '50'], broken);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^STORE-LWW\s+MUST\s+FAILED\s+\d+\s+\d+$/m);
    // A run names its time base first; its ids come from any of the kit's universes.
    expect(stdout).toMatch(/counterexample: timeBase=\d+; .*(upsert|update)\(id=\[.*\], heartbeatAt=\d+/);
    expect(stdout).toMatch(/replay: npx presence-certify \.\/broken\.js --only STORE-LWW --seed 4 --runs 50 --path '?\d[\d:]*@[\w+/:]+'?$/m);
  });

  it('replays the same failure from the printed replay command', async () => {
    const first = await cli(['./broken.js', '--only', STORE.lww, '--seed', '8'], broken);
    const command = /replay: npx presence-certify (.*)$/m.exec(first.stdout)?.[1] ?? '';
    const argv = command.split(' ').map((arg) => arg.replace(/^'(.*)'$/, '$1'));
    const replay = await cli(argv, broken);
    const counterexample = (text: string) => /counterexample: (.*)$/m.exec(text)?.[1];
    expect(replay.code).toBe(1);
    expect(counterexample(replay.stdout)).toBeDefined();
    expect(counterexample(replay.stdout)).toBe(counterexample(first.stdout));
    expect(replay.stdout).toMatch(/^STORE-LWW\s+MUST\s+FAILED\s+1\s+\d+$/m);
  });

  it('prints the report as JSON with --json', async () => {
    const { code, stdout, stderr } = await cli(['./broken.js', '--json', '--runs', '20', '--seed', '1', '--only', `${STORE.lww},${STORE.rows}`], broken);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as CertificationReport & { store: string };
    expect(report).toMatchObject({ store: './broken.js', passed: false, seed: 1, numRuns: 20 });
    expect(stderr).toMatch(/^\[1\/2\] STORE-ROWS passed \(20 runs, \d+ ms\)$/m);
    expect(report.results.map((result) => [result.id, result.status])).toEqual([
      [STORE.rows, 'passed'],
      [STORE.lww, 'failed'],
    ]);
    expect(report.results[1]).toMatchObject({ level: 'MUST', seed: 1, path: expect.any(String), counterexample: expect.any(String), error: expect.stringContaining('STORE-LWW violated') });
  });

  it('calls an exported destroy for every store it created', async () => {
    const destroy = vi.fn();
    const create = vi.fn(createSimpleStore);
    const { code } = await cli(['./clean.js', '--runs', '2', '--only', STORE.rows], { 'clean.js': { default: create, destroy } });
    expect(code).toBe(0);
    expect(create).toHaveBeenCalled();
    expect(destroy).toHaveBeenCalledTimes(create.mock.calls.length);
  });

  it.each([
    ['no module', []],
    ['two modules', ['./clean.js', './other.js']],
    ['a non-numeric --runs', ['./clean.js', '--runs', 'many']],
    ['a zero --runs', ['./clean.js', '--runs', '0']],
    ['a fractional --seed', ['./clean.js', '--seed', '1.5']],
    ['an unknown flag', ['./clean.js', '--fast']],
    ['--path without --only', ['./clean.js', '--seed', '1', '--path', '0:1']],
    ['--path without --seed', ['./clean.js', '--only', STORE.lww, '--path', '0:1']],
    ['an unknown invariant id', ['./clean.js', '--only', 'STORE-NOPE']],
    ['a module that cannot be loaded', ['./missing.js']],
    ['a module without a default factory', ['./named.js']],
  ])('exits 2 with the usage on %s', async (_case, argv) => {
    const { code, stdout, stderr } = await cli(argv, { ...clean, 'named.js': { create: createSimpleStore } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^presence-certify: .+\n\nUsage: presence-certify/);
  });

  it('prints the usage and exits 0 with --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: presence-certify <store-module>');
  });

  it('imports a real module relative to the working directory by default', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'presence-certify-'));
    try {
      await writeFile(
        join(directory, 'store.mjs'),
        `export default () => {
  const rows = new Map();
  const copy = (row) => (row === undefined ? undefined : structuredClone(row));
  const write = (row) => {
    const stored = rows.get(row.id);
    const winner = stored === undefined || row.heartbeatAt >= stored.heartbeatAt ? row : stored;
    rows.set(row.id, { ...structuredClone(winner), expiresAt: Math.max(stored?.expiresAt ?? row.expiresAt, row.expiresAt) });
    return copy(rows.get(row.id));
  };
  const all = () => [...rows.values()].map(copy);
  return {
    get: (id) => copy(rows.get(id)),
    upsert: write,
    update: (row) => (rows.has(row.id) ? write(row) : undefined),
    admit: (row, limits) => {
      const live = all().filter((r) => r.id !== row.id && r.scope === row.scope && r.channel === row.channel && r.expiresAt > row.heartbeatAt);
      const own = rows.get(row.id);
      if (own === undefined || own.expiresAt <= row.heartbeatAt) {
        if (live.length >= limits.maxMembers) return { admitted: false, full: 'channel', live: live.length };
        const mine = live.filter((r) => r.actorId === row.actorId).length;
        if (mine >= limits.maxSessionsPerActor) return { admitted: false, full: 'actor', live: mine };
      }
      return { admitted: true, row: write(row) };
    },
    remove: (id) => { const row = copy(rows.get(id)); rows.delete(id); return row; },
    channel: (scope, channel, now) => all().filter((r) => r.scope === scope && r.channel === channel && r.expiresAt > now),
    sweep: (now, limit = Infinity) => { const out = all().filter((r) => r.expiresAt <= now).slice(0, limit); out.forEach((r) => rows.delete(r.id)); return out; },
    rows: all,
  };
};
`,
      );
      const out: string[] = [];
      const code = await runCertifyCli(['store.mjs', '--runs', '3'], { stdout: (text) => out.push(text), stderr: () => {}, cwd: directory });
      expect(out.join('')).toContain('certification PASSED');
      expect(code).toBe(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
