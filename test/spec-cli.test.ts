/** presence-certify, driven through runCertifyCli with captured streams and an injected module loader. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CertificationReport } from '../spec/certify.js';
import { runCertifyCli, type CliIo } from '../spec/cli.js';
import { storeInvariants } from '../spec/invariants.js';
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

const clean = { 'clean.js': { default: createSimpleStore } };
const broken = { 'broken.js': { default: ignoresLww.create } };

describe('presence-certify', () => {
  it('prints a passing table with every invariant and exits 0 for a clean store', async () => {
    const { code, stdout, stderr } = await cli(['./clean.js', '--runs', '3', '--seed', '9'], clean);
    expect(code).toBe(0);
    expect(stdout).toMatch(/certification PASSED: 17\/17 invariants held \(seed 9, numRuns 3/);
    expect(stdout).toMatch(/^id\s+level\s+status\s+runs$/m);
    for (const invariant of storeInvariants) expect(stdout).toMatch(new RegExp(`^${invariant.id}\\s+MUST\\s+PASSED\\s+\\d+$`, 'm'));
    expect(stderr).toContain(`[ 1/17] ${STORE.getAfterUpsert} passed (3 runs`);
    expect(stderr).toContain(`[17/17] ${STORE.raceAdmit} passed`);
  });

  it('exits 1 on a MUST failure, printing the counterexample and a replay command', async () => {
    const { code, stdout } = await cli(['./broken.js', '--only', STORE.lww, '--seed', '4', '--runs', '50'], broken);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^STORE-LWW\s+MUST\s+FAILED\s+\d+$/m);
    expect(stdout).toMatch(/counterexample: (upsert|update)\(id=\["s\d","c\d","[ab]","x?"\], heartbeatAt=\d+/);
    expect(stdout).toMatch(/replay: presence-certify \.\/broken\.js --only STORE-LWW --seed 4 --runs 50 --path '?\d[\d:]*@[\w+/:]+'?$/m);
  });

  it('replays the same failure from the printed replay command', async () => {
    const first = await cli(['./broken.js', '--only', STORE.lww, '--seed', '8'], broken);
    const command = /replay: presence-certify (.*)$/m.exec(first.stdout)?.[1] ?? '';
    const argv = command.split(' ').map((arg) => arg.replace(/^'(.*)'$/, '$1'));
    const replay = await cli(argv, broken);
    const counterexample = (text: string) => /counterexample: (.*)$/m.exec(text)?.[1];
    expect(replay.code).toBe(1);
    expect(counterexample(replay.stdout)).toBeDefined();
    expect(counterexample(replay.stdout)).toBe(counterexample(first.stdout));
    expect(replay.stdout).toMatch(/^STORE-LWW\s+MUST\s+FAILED\s+1$/m);
  });

  it('prints the report as JSON with --json', async () => {
    const { code, stdout } = await cli(['./broken.js', '--json', '--runs', '20', '--seed', '1', '--only', `${STORE.lww},${STORE.rows}`], broken);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as CertificationReport;
    expect(report).toMatchObject({ passed: false, seed: 1, numRuns: 20 });
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
