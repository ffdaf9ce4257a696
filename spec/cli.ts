/**
 * The `presence-certify` command, as a function: parse arguments, load the
 * store module (TypeScript too, through Node's type stripping or tsx), name
 * the store, list each invariant with its time as it finishes, then the
 * verdict and failures (or the report as JSON, with progress on stderr), and
 * return the exit code: 0 when every MUST invariant held, 1 when one failed,
 * 2 on a usage error.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { certifyPresenceStore, type CertifyStoreOptions, type InvariantResult } from './certify.js';
import type { StoreSubject } from './invariant.js';
import { storeChecks } from './invariants.js';
import { allChecks, certifyPresenceStoreAndPack } from './pack/certify.js';
import { formatFailures, formatProgress, formatTableHeader, formatTableRow, formatVerdict, tableWidths } from './report.js';

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
  /**
   * Makes `.ts` modules importable, resolving to false when it cannot; by
   * default Node's own type stripping where it has it, else `tsx` if installed.
   */
  enableTypeScript?: () => Promise<boolean>;
}

/** The command's usage text. */
export const CLI_USAGE = `Usage: presence-certify <store-module> [--pack] [--runs N] [--seed S] [--only ID]... [--path P] [--json]

Certifies the presence store whose factory is the module's default export
(() => PresenceStore | Promise<PresenceStore>; an exported destroy(store) is
called after each run, an exported name string names the store in the
report). A .ts module loads through Node's type stripping or an installed tsx.

  --runs N    runs per invariant (default 400)
  --seed S    seed of every property (default random; printed in the report)
  --only ID   check only this invariant (repeatable, or comma-separated)
  --path P    replay a counterexample path (with the --seed and --runs it ran
              with, and exactly one --only)
  --pack      also certify the presence pack on this store (PACK-* invariants;
              implied by an --only PACK-* id)
  --json      print the report as JSON
  --help      print this text

Levels: a MUST failure fails certification; a SHOULD failure is only reported.
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
    // A PACK-* id is only checked on the pack, so asking for one asks for it.
    pack: (values.pack ?? false) || (only?.some((id) => id.startsWith('PACK-')) ?? false),
    options: {
      ...(numRuns === undefined ? {} : { numRuns }),
      ...(seed === undefined ? {} : { seed }),
      ...(values.path === undefined ? {} : { path: values.path }),
      ...(only === undefined ? {} : { only }),
    },
  };
};

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** Node's type stripping if this Node has it on, else tsx's loader if tsx is installed. */
const defaultTypeScript = async (): Promise<boolean> => {
  // process.features.typescript exists from Node 22.10; earlier, the flag is the only sign.
  if ((process.features as { typescript?: unknown }).typescript || process.execArgv.includes('--experimental-strip-types')) return true;
  // A variable specifier: tsx is an optional extra, never a dependency.
  const tsx = 'tsx';
  try {
    await import(tsx);
    return true;
  } catch {
    return false;
  }
};

/** What to run instead when a `.ts` module cannot be loaded here. */
const typeScriptHelp = (modulePath: string): string =>
  `${modulePath} is TypeScript and Node ${process.version} cannot load it as is. Either install tsx (npm install --save-dev tsx) and run the same command again, ` +
  `or run it on Node >= 22.6 as: node --experimental-strip-types node_modules/@absolutejs/sync-pack-presence/dist/spec/cli-main.js ${modulePath}, ` +
  `or compile the module (npx tsc) and pass the .js file`;

/** A loaded store module: the subject to certify and the store's name for the report. */
interface StoreModule {
  subject: StoreSubject;
  label: string;
}

/** The store factory (with optional destroy and name) a module exports. */
const storeModule = async (invocation: Invocation, io: CliIo): Promise<StoreModule> => {
  const { modulePath } = invocation;
  if (TYPESCRIPT.test(modulePath) && !(await (io.enableTypeScript ?? defaultTypeScript)())) throw new UsageError(typeScriptHelp(modulePath));
  const url = pathToFileURL(resolve(io.cwd, modulePath)).href;
  const load = io.load ?? ((specifier: string) => import(specifier) as Promise<unknown>);
  let loaded: unknown;
  try {
    loaded = await load(url);
  } catch (error) {
    throw new UsageError(`cannot load ${modulePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  type Exports = { default?: unknown; destroy?: unknown; name?: unknown };
  const namespace = (loaded ?? {}) as Exports;
  // A CommonJS module (a .ts file outside a "type": "module" package) arrives as { default: module.exports }.
  const commonJs = typeof namespace.default === 'object' && namespace.default !== null && typeof (namespace.default as Exports).default === 'function';
  const exports = commonJs ? (namespace.default as Exports) : namespace;
  if (typeof exports.default !== 'function') {
    throw new UsageError(`${modulePath} must default-export a store factory: () => PresenceStore | Promise<PresenceStore>`);
  }
  const create = exports.default as StoreSubject['create'];
  const subject: StoreSubject = typeof exports.destroy === 'function' ? { create, destroy: exports.destroy as NonNullable<StoreSubject['destroy']> } : { create };
  return { subject, label: typeof exports.name === 'string' && exports.name !== '' ? `${exports.name} (${modulePath})` : modulePath };
};

const shellQuote = (text: string): string => (/^[\w./:@=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);

/** The command line that replays one failure, runnable as printed from the project directory. */
const replayCommand =
  (modulePath: string) =>
  (result: InvariantResult, numRuns: number): string =>
    [
      'npx',
      'presence-certify',
      modulePath,
      '--only',
      result.id,
      '--seed',
      String(result.seed),
      '--runs',
      String(numRuns),
      ...(result.path === undefined ? [] : ['--path', result.path]),
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
    const { subject, label } = await storeModule(invocation, io);
    const catalog = (invocation.pack ? allChecks : storeChecks).map((check) => check.invariant.id);
    const unknown = invocation.options.only?.filter((id) => !catalog.includes(id)) ?? [];
    if (unknown.length > 0) throw new UsageError(`unknown invariant id(s): ${unknown.join(', ')}. Known: ${catalog.join(', ')}`);
    const widths = tableWidths(invocation.options.only ?? catalog);
    if (!invocation.json) io.stdout(`Certifying ${label}\n\n${formatTableHeader(widths)}\n`);
    let report;
    try {
      report = await (invocation.pack ? certifyPresenceStoreAndPack : certifyPresenceStore)({
        ...subject,
        ...invocation.options,
        onProgress: (event) => {
          if (event.phase !== 'done') return;
          // One listing: rows stream into the table; with --json stdout is the JSON alone.
          if (invocation.json) io.stderr(`${formatProgress(event)}\n`);
          else io.stdout(`${formatTableRow(event.result, widths)}\n`);
        },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    io.stdout(
      invocation.json
        ? `${JSON.stringify({ store: label, ...report }, null, 2)}\n`
        : `\n${formatVerdict(report, label)}\n${formatFailures(report, replayCommand(invocation.modulePath))}\n`,
    );
    return report.passed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`presence-certify: ${error.message}\n\n${CLI_USAGE}\n`);
    return 2;
  }
};
