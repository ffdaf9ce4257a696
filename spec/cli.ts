/**
 * The `presence-certify` command, as a function: parse arguments, load the
 * store module, certify it with progress on stderr, print the table (or JSON)
 * on stdout, and return the exit code: 0 when every MUST invariant held, 1
 * when one failed, 2 on a usage error.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { PresenceStore } from '../src/store.js';
import { certifyPresenceStore, type CertifyStoreOptions, type InvariantResult } from './certify.js';
import type { StoreFactory } from './invariant.js';
import { certifyPresenceStoreAndPack } from './pack/certify.js';
import { formatProgress, formatReport } from './report.js';

/** Where the command reads and writes; tests pass captured streams. */
export interface CliIo {
  /** Writes to standard output (the report). */
  stdout: (text: string) => void;
  /** Writes to standard error (progress, usage errors). */
  stderr: (text: string) => void;
  /** The directory module paths are relative to. */
  cwd: string;
  /** Imports a module by file URL; `import()` by default. */
  load?: (url: string) => Promise<unknown>;
}

/** The command's usage text. */
export const CLI_USAGE = `Usage: presence-certify <store-module> [--pack] [--runs N] [--seed S] [--only ID]... [--path P] [--json]

Certifies the presence store whose factory is the module's default export
(() => PresenceStore | Promise<PresenceStore>; an exported destroy(store) is
called after each run). Progress goes to stderr, the report to stdout.

  --runs N    runs per invariant (default 400)
  --seed S    seed of every property (default random; printed in the report)
  --only ID   check only this invariant (repeatable, or comma-separated)
  --path P    replay a counterexample path (with the --seed and --runs it ran
              with, and exactly one --only)
  --pack      also certify the presence pack on this store (PACK-* invariants)
  --json      print the report as JSON
  --help      print this text

Exit code: 0 if every MUST invariant held, 1 if one failed, 2 on a usage error.`;

/** A usage error: the message is printed with the usage and the command exits 2. */
class UsageError extends Error {}

const integer = (flag: string, text: string | undefined, minimum: number): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${flag} expects an integer >= ${minimum}, got ${JSON.stringify(text)}`);
  }
  return value;
};

/** The parsed command line. */
interface Invocation {
  modulePath: string;
  json: boolean;
  pack: boolean;
  options: Omit<CertifyStoreOptions, 'create' | 'destroy'>;
}

const parse = (argv: readonly string[]): Invocation | 'help' => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        path: { type: 'string' },
        only: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        pack: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(`expected exactly one store module, got ${positionals.length}`);
  const only = values.only?.flatMap((item) => item.split(',')).filter((id) => id !== '');
  if (values.path !== undefined && (values.seed === undefined || only?.length !== 1)) {
    throw new UsageError('--path replays one counterexample: pass it with --seed and exactly one --only');
  }
  const numRuns = integer('--runs', values.runs, 1);
  const seed = integer('--seed', values.seed, -0x80000000);
  return {
    modulePath: positionals[0] ?? '',
    json: values.json ?? false,
    pack: values.pack ?? false,
    options: {
      ...(numRuns === undefined ? {} : { numRuns }),
      ...(seed === undefined ? {} : { seed }),
      ...(values.path === undefined ? {} : { path: values.path }),
      ...(only === undefined ? {} : { only }),
    },
  };
};

/** The store factory (and optional destroy) a module exports. */
const storeModule = async (invocation: Invocation, io: CliIo) => {
  const url = pathToFileURL(resolve(io.cwd, invocation.modulePath)).href;
  const load = io.load ?? ((specifier: string) => import(specifier) as Promise<unknown>);
  let loaded: unknown;
  try {
    loaded = await load(url);
  } catch (error) {
    throw new UsageError(`cannot load ${invocation.modulePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exports = (loaded ?? {}) as { default?: unknown; destroy?: unknown };
  if (typeof exports.default !== 'function') {
    throw new UsageError(`${invocation.modulePath} must default-export a store factory: () => PresenceStore | Promise<PresenceStore>`);
  }
  const create = exports.default as StoreFactory;
  const destroy = typeof exports.destroy === 'function' ? (exports.destroy as (store: PresenceStore) => void | Promise<void>) : undefined;
  return destroy === undefined ? { create } : { create, destroy };
};

const shellQuote = (text: string): string => (/^[\w./:@=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);

/** The command line that replays one failure. */
const replayCommand =
  (modulePath: string) =>
  (result: InvariantResult, numRuns: number): string =>
    [
      'presence-certify',
      modulePath,
      '--only',
      result.id,
      '--seed',
      String(result.seed),
      '--runs',
      String(numRuns),
      ...(result.path === undefined ? [] : ['--path', result.path]),
      ...(result.id.startsWith('PACK-') ? ['--pack'] : []),
    ]
      .map(shellQuote)
      .join(' ');

/**
 * Runs `presence-certify` with `argv` (arguments after the command name) and
 * returns its exit code.
 */
export const runCertifyCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  try {
    const invocation = parse(argv);
    if (invocation === 'help') {
      io.stdout(`${CLI_USAGE}\n`);
      return 0;
    }
    const subject = await storeModule(invocation, io);
    let report;
    try {
      report = await (invocation.pack ? certifyPresenceStoreAndPack : certifyPresenceStore)({
        ...subject,
        ...invocation.options,
        onProgress: (event) => {
          if (event.phase === 'done') io.stderr(`${formatProgress(event)}\n`);
        },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    io.stdout(invocation.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, replayCommand(invocation.modulePath))}\n`);
    return report.passed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`presence-certify: ${error.message}\n\n${CLI_USAGE}\n`);
    return 2;
  }
};
